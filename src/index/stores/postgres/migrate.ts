import { NewsdeskError, describeError } from '../../../errors.js';
import { inTransaction, withClient, type Pool, type PoolClient } from './connect.js';

/*
 * The schema, versioned. Documents and chunks are shared by builds: each row carries the build
 * that added it and the build that removed it (null while live), so a build is "the rows with
 * added_build <= B and (removed_build is null or removed_build > B)". An incremental build adds
 * rows for changed documents and marks the rows it replaces; unchanged documents are not touched.
 * Rows no build can see any more are deleted when the build after next is published.
 */
const MIGRATIONS: readonly string[] = [
  `
  CREATE TABLE builds (
    id bigserial PRIMARY KEY,
    embedder_id text NOT NULL,
    dimensions int NOT NULL,
    chunking jsonb NOT NULL,
    corpus_hash text NOT NULL,
    built_at timestamptz NOT NULL,
    documents int NOT NULL,
    chunks int NOT NULL,
    written_documents int NOT NULL,
    written_chunks int NOT NULL
  );
  CREATE TABLE current_build (
    singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    build_id bigint NOT NULL REFERENCES builds (id)
  );
  CREATE TABLE documents (
    row_id bigserial PRIMARY KEY,
    id text NOT NULL,
    content_hash text NOT NULL,
    added_build bigint NOT NULL,
    removed_build bigint,
    kind text NOT NULL,
    title text NOT NULL,
    outlet text,
    date text,
    url text,
    text text NOT NULL,
    file text NOT NULL,
    line int NOT NULL,
    meta jsonb
  );
  CREATE UNIQUE INDEX documents_live_id ON documents (id) WHERE removed_build IS NULL;
  CREATE INDEX documents_removed ON documents (removed_build);
  CREATE TABLE chunks (
    row_id bigserial PRIMARY KEY,
    id text NOT NULL,
    document_id text NOT NULL,
    added_build bigint NOT NULL,
    removed_build bigint,
    start_offset int NOT NULL,
    end_offset int NOT NULL,
    text text NOT NULL,
    -- The chunk's normalized content terms (Newsdesk's own stemming), so that the database's
    -- lexical ranker matches the same words as the embedded BM25 does.
    terms text NOT NULL,
    outlet text,
    date text,
    embedding vector NOT NULL,
    tsv tsvector GENERATED ALWAYS AS (to_tsvector('simple', terms)) STORED
  );
  CREATE UNIQUE INDEX chunks_live_id ON chunks (id) WHERE removed_build IS NULL;
  CREATE INDEX chunks_document ON chunks (document_id);
  CREATE INDEX chunks_removed ON chunks (removed_build);
  CREATE INDEX chunks_tsv ON chunks USING gin (tsv);
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;
export const BUILD_CHANNEL = 'newsdesk_build';
/** pgvector 0.5.0 brought HNSW. */
const MIN_VECTOR = [0, 5, 0];
const MIGRATION_LOCK = 0x6e657773; // "news": one migration at a time across processes

export interface MigrationResult {
  from: number;
  to: number;
  vectorVersion: string;
  /** Whether pg_textsearch (BM25) is installed; otherwise the lexical ranker uses ts_rank_cd. */
  textsearch: boolean;
}

/** Brings the schema to SCHEMA_VERSION. Idempotent; safe to run from several processes at once. */
export async function migrate(pool: Pool, url: string, log: (line: string) => void = () => {}): Promise<MigrationResult> {
  return withClient(pool, url, async (client) => {
    const vectorVersion = await ensureVector(client);
    const textsearch = await ensureTextsearch(client, log);
    // Up to date: no DDL at all, so a bot whose role may only read and write rows starts too.
    if (await upToDate(client, textsearch)) return { from: SCHEMA_VERSION, to: SCHEMA_VERSION, vectorVersion, textsearch };
    const from = await inTransaction(client, async () => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query('CREATE TABLE IF NOT EXISTS schema_migrations (version int PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())');
      const { rows } = await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations');
      const current = rows[0]?.version ?? 0;
      if (current > SCHEMA_VERSION) {
        throw new NewsdeskError('PG_SCHEMA_NEWER', `The database is at schema version ${current}; this version knows ${SCHEMA_VERSION}.`);
      }
      for (let version = current + 1; version <= SCHEMA_VERSION; version++) {
        await client.query(MIGRATIONS[version - 1]!);
        await client.query('INSERT INTO schema_migrations (version) VALUES ($1)', [version]);
        log(`migrate: applied schema version ${version}`);
      }
      return current;
    });
    if (textsearch) await client.query("CREATE INDEX IF NOT EXISTS chunks_bm25 ON chunks USING bm25 (terms) WITH (text_config = 'simple')");
    return { from, to: SCHEMA_VERSION, vectorVersion, textsearch };
  });
}

async function upToDate(client: PoolClient, textsearch: boolean): Promise<boolean> {
  const { rows } = await client.query<{ migrations: string | null; bm25: string | null }>(
    "SELECT to_regclass('schema_migrations')::text AS migrations, to_regclass('chunks_bm25')::text AS bm25",
  );
  if (!rows[0]?.migrations || (textsearch && !rows[0].bm25)) return false;
  const version = (await client.query<{ version: number | null }>('SELECT max(version) AS version FROM schema_migrations')).rows[0]?.version ?? 0;
  if (version > SCHEMA_VERSION) {
    throw new NewsdeskError('PG_SCHEMA_NEWER', `The database is at schema version ${version}; this version knows ${SCHEMA_VERSION}.`);
  }
  return version === SCHEMA_VERSION;
}

/** The installed pgvector version, creating the extension when the server has it; else PG_VECTOR_MISSING. */
async function ensureVector(client: PoolClient): Promise<string> {
  const available = await extension(client, 'vector');
  if (!available) {
    throw new NewsdeskError('PG_VECTOR_MISSING', 'This server has no pgvector package: pg_available_extensions has no "vector".');
  }
  if (!available.installed) {
    try {
      await client.query('CREATE EXTENSION IF NOT EXISTS vector');
    } catch (error) {
      throw new NewsdeskError('PG_VECTOR_MISSING', `pgvector ${available.available} is on the server but not in this database, and creating it failed: ${describeError(error)}`);
    }
  }
  const version = (await extension(client, 'vector'))!.installed!;
  if (compareVersions(version, MIN_VECTOR) < 0) {
    throw new NewsdeskError('PG_VECTOR_MISSING', `This database has pgvector ${version}; HNSW needs 0.5.0 or later.`);
  }
  return version;
}

/** pg_textsearch is optional: a server without it (or that cannot load it) ranks with ts_rank_cd. */
async function ensureTextsearch(client: PoolClient, log: (line: string) => void): Promise<boolean> {
  const available = await extension(client, 'pg_textsearch');
  if (!available) return false;
  if (available.installed) return true;
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS pg_textsearch');
    return true;
  } catch (error) {
    log(`migrate: pg_textsearch is on the server but could not be created (${describeError(error)}); lexical search uses ts_rank_cd`);
    return false;
  }
}

async function extension(client: PoolClient, name: string): Promise<{ available: string; installed: string | null } | null> {
  const { rows } = await client.query<{ available: string; installed: string | null }>(
    'SELECT default_version AS available, installed_version AS installed FROM pg_available_extensions WHERE name = $1',
    [name],
  );
  return rows[0] ?? null;
}

function compareVersions(version: string, minimum: number[]): number {
  const parts = version.split('.').map((part) => Number.parseInt(part, 10) || 0);
  for (let i = 0; i < minimum.length; i++) {
    const difference = (parts[i] ?? 0) - minimum[i]!;
    if (difference !== 0) return difference;
  }
  return 0;
}

/**
 * Fixes the embedding column's dimension and builds the HNSW index on first use. A different
 * dimension (another embedder) empties the rows first: the caller is writing a full build.
 * Runs inside the build's transaction.
 */
export async function ensureDimensions(client: PoolClient, dimensions: number): Promise<void> {
  const { rows } = await client.query<{ typmod: number }>(
    "SELECT atttypmod AS typmod FROM pg_attribute WHERE attrelid = 'chunks'::regclass AND attname = 'embedding'",
  );
  const current = rows[0]?.typmod ?? -1;
  if (current === dimensions) return;
  await client.query('DROP INDEX IF EXISTS chunks_embedding_hnsw');
  if (current !== -1) await client.query('DELETE FROM chunks');
  await client.query(`ALTER TABLE chunks ALTER COLUMN embedding TYPE vector(${Number(dimensions)})`);
  // m and ef_construction as the embedded hnswlib store uses them, so both find the same neighbours.
  await client.query('CREATE INDEX chunks_embedding_hnsw ON chunks USING hnsw (embedding vector_cosine_ops) WITH (m = 16, ef_construction = 200)');
}
