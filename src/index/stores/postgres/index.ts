import type { Chunk, Document, Manifest, ReindexSummary } from '../../types.js';
import { currentBuildId, loadBuild, type Database } from './builds.js';
import { createPool } from './connect.js';
import { buildPostgresIndex, type PostgresBuildOptions } from './indexer.js';
import { migrate } from './migrate.js';
import { PostgresVectorStore } from './vector-store.js';

export interface PostgresOptions {
  /** DATABASE_URL. */
  url: string;
}

/** A published build as the engine loads it: metadata in memory, vectors in the database. */
export interface PostgresBuild {
  build: string;
  manifest: Manifest;
  documents: Document[];
  chunks: Chunk[];
  vectors: PostgresVectorStore;
}

/** The index in PostgreSQL, as the engine uses it: load the published build, write a new one. */
export interface PostgresIndex {
  readonly db: Database;
  /** Whether pg_textsearch (BM25) is installed. */
  readonly textsearch: boolean;
  current(): Promise<string | null>;
  load(): Promise<PostgresBuild>;
  build(options: Omit<PostgresBuildOptions, 'db'>): Promise<ReindexSummary>;
  close(): Promise<void>;
}

/**
 * Connects and migrates (idempotent), so that a server without pgvector fails at start-up with
 * PG_VECTOR_MISSING rather than on the first question.
 */
export async function openPostgresIndex(options: PostgresOptions & { log: (line: string) => void }): Promise<PostgresIndex> {
  const db: Database = { pool: createPool({ url: options.url, log: options.log }), url: options.url };
  try {
    const { textsearch } = await migrate(db.pool, db.url, options.log);
    return {
      db,
      textsearch,
      current: () => currentBuildId(db),
      async load() {
        const loaded = await loadBuild(db);
        return { ...loaded, vectors: new PostgresVectorStore(db, loaded.build, loaded.manifest.embedder.dimensions) };
      },
      build: (build) => buildPostgresIndex({ ...build, db }),
      close: () => db.pool.end(),
    };
  } catch (error) {
    await db.pool.end();
    throw error;
  }
}

/** `npm run reindex` with STORE=postgres: one build written to the database, then the pool closed. */
export async function reindexPostgres(options: PostgresOptions & Omit<PostgresBuildOptions, 'db'> & { log: (line: string) => void }) {
  const db: Database = { pool: createPool({ url: options.url, log: options.log }), url: options.url };
  try {
    return await buildPostgresIndex({ ...options, db });
  } finally {
    await db.pool.end();
  }
}
