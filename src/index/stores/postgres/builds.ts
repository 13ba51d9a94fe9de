import { createHash } from 'node:crypto';
import { toSql } from 'pgvector';
import { NewsdeskError } from '../../../errors.js';
import type { Chunk, ChunkOptions, Document, Manifest } from '../../types.js';
import { inTransaction, withClient, type Pool, type PoolClient } from './connect.js';
import { BUILD_CHANNEL, SCHEMA_VERSION, ensureDimensions } from './migrate.js';

/** A build's rows: added by it or before, and not removed by it or before. `$1` is the build. */
export const VISIBLE = 'added_build <= $1 AND (removed_build IS NULL OR removed_build > $1)';

export interface Database {
  pool: Pool;
  url: string;
}

interface BuildRow {
  id: string;
  embedder_id: string;
  dimensions: number;
  chunking: ChunkOptions;
  corpus_hash: string;
  built_at: Date;
  documents: number;
  chunks: number;
}

/** The published build's id, or null before the first build. */
export async function currentBuildId(db: Database): Promise<string | null> {
  return withClient(db.pool, db.url, async (client) => {
    const { rows } = await client.query<{ build_id: string }>('SELECT build_id FROM current_build');
    return rows[0]?.build_id ?? null;
  });
}

async function buildRow(client: PoolClient, id: string): Promise<BuildRow | null> {
  const { rows } = await client.query<BuildRow>('SELECT * FROM builds WHERE id = $1', [id]);
  return rows[0] ?? null;
}

function toManifest(row: BuildRow): Manifest {
  return {
    formatVersion: SCHEMA_VERSION,
    embedder: { id: row.embedder_id, dimensions: row.dimensions },
    chunking: row.chunking,
    corpusHash: row.corpus_hash,
    builtAt: row.built_at.toISOString(),
    documents: row.documents,
    chunks: row.chunks,
  };
}

/** A document's content, so that an unchanged one is recognized and left alone. */
export function documentHash(doc: Document): string {
  return createHash('sha256').update(JSON.stringify(doc)).digest('hex');
}

export interface BuildPlan {
  /** The build this one follows, null for the first. */
  base: string | null;
  /** Everything is written again: first build, another embedder, dimension or chunking. */
  full: boolean;
  /** New or changed documents: only their chunks are embedded and written. */
  changed: Document[];
  /** Ids of live documents that are gone from the corpus or changed (their rows are retired). */
  retired: string[];
}

/** Which documents a build of `documents` must write, compared with the published build. */
export async function planBuild(db: Database, documents: Document[], embedder: { id: string; dimensions: number }, chunking: ChunkOptions): Promise<BuildPlan> {
  return withClient(db.pool, db.url, async (client) => {
    const base = (await client.query<{ build_id: string }>('SELECT build_id FROM current_build')).rows[0]?.build_id ?? null;
    const row = base ? await buildRow(client, base) : null;
    const full = !row || row.embedder_id !== embedder.id || row.dimensions !== embedder.dimensions || JSON.stringify(row.chunking) !== JSON.stringify(chunking);
    const live = new Map(
      (await client.query<{ id: string; content_hash: string }>('SELECT id, content_hash FROM documents WHERE removed_build IS NULL')).rows.map((r) => [r.id, r.content_hash]),
    );
    const changed = full ? documents : documents.filter((doc) => live.get(doc.id) !== documentHash(doc));
    const kept = new Set(documents.map((doc) => doc.id));
    const rewritten = new Set(changed.map((doc) => doc.id));
    const retired = [...live.keys()].filter((id) => full || !kept.has(id) || rewritten.has(id));
    return { base, full, changed, retired };
  });
}

export interface ChunkRow {
  chunk: Chunk;
  /** The chunk's normalized content terms, space-separated: what the lexical ranker matches. */
  terms: string;
  vector: Float32Array;
}

export interface BuildInput {
  plan: BuildPlan;
  embedder: { id: string; dimensions: number };
  chunking: ChunkOptions;
  corpusHash: string;
  /** Totals of the whole build, unchanged documents included. */
  documents: number;
  chunks: number;
  /** The chunks of `plan.changed`, with their vectors. */
  rows: ChunkRow[];
}

const BUILD_LOCK = 0x6e657771; // one build writer at a time across processes
const BATCH = 500;

/**
 * Writes a build in one transaction and publishes it by switching current_build, then NOTIFY.
 * Rows no build can see any more (retired before the previous build) are deleted in the same
 * transaction, so the previous build stays readable for processes that have not swapped yet.
 */
export async function writeBuild(db: Database, input: BuildInput): Promise<string> {
  const { plan } = input;
  return withClient(db.pool, db.url, (client) =>
    inTransaction(client, async () => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [BUILD_LOCK]);
      const base = (await client.query<{ build_id: string }>('SELECT build_id FROM current_build')).rows[0]?.build_id ?? null;
      if (base !== plan.base) {
        throw new NewsdeskError('REINDEX_BUSY', `Another process published build ${base} while this one was being prepared; run the re-index again.`);
      }
      await ensureDimensions(client, input.embedder.dimensions);
      const { rows } = await client.query<{ id: string }>(
        `INSERT INTO builds (embedder_id, dimensions, chunking, corpus_hash, built_at, documents, chunks, written_documents, written_chunks)
         VALUES ($1, $2, $3, $4, now(), $5, $6, $7, $8) RETURNING id`,
        [input.embedder.id, input.embedder.dimensions, JSON.stringify(input.chunking), input.corpusHash, input.documents, input.chunks, plan.changed.length, input.rows.length],
      );
      const build = rows[0]!.id;
      await client.query('UPDATE documents SET removed_build = $1 WHERE removed_build IS NULL AND id = ANY($2)', [build, plan.retired]);
      await client.query('UPDATE chunks SET removed_build = $1 WHERE removed_build IS NULL AND document_id = ANY($2)', [build, plan.retired]);
      await insertDocuments(client, build, plan.changed);
      const docs = new Map(plan.changed.map((doc) => [doc.id, doc]));
      for (let i = 0; i < input.rows.length; i += BATCH) await insertChunks(client, build, input.rows.slice(i, i + BATCH), docs);
      await client.query(
        'INSERT INTO current_build (singleton, build_id) VALUES (true, $1) ON CONFLICT (singleton) DO UPDATE SET build_id = EXCLUDED.build_id',
        [build],
      );
      if (plan.base) await prune(client, plan.base);
      await client.query('SELECT pg_notify($1, $2)', [BUILD_CHANNEL, build]);
      return build;
    }),
  );
}

async function insertDocuments(client: PoolClient, build: string, documents: Document[]): Promise<void> {
  for (let i = 0; i < documents.length; i += BATCH) {
    const batch = documents.slice(i, i + BATCH);
    const column = <T>(pick: (doc: Document) => T) => batch.map(pick);
    await client.query(
      `INSERT INTO documents (id, content_hash, added_build, kind, title, outlet, date, url, text, file, line, meta)
       SELECT id, hash, $1, kind, title, outlet, date, url, text, file, line, meta::jsonb
       FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::int[], $12::text[])
         AS t (id, hash, kind, title, outlet, date, url, text, file, line, meta)`,
      [
        build,
        column((d) => d.id),
        column(documentHash),
        column((d) => d.kind),
        column((d) => d.title),
        column((d) => d.outlet),
        column((d) => d.date),
        column((d) => d.url),
        column((d) => d.text),
        column((d) => d.file),
        column((d) => d.line),
        column((d) => (d.meta ? JSON.stringify(d.meta) : null)),
      ],
    );
  }
}

async function insertChunks(client: PoolClient, build: string, rows: ChunkRow[], docs: Map<string, Document>): Promise<void> {
  const column = <T>(pick: (row: ChunkRow) => T) => rows.map(pick);
  await client.query(
    `INSERT INTO chunks (id, document_id, added_build, start_offset, end_offset, text, terms, outlet, date, embedding)
     SELECT id, document_id, $1, start_offset, end_offset, text, terms, outlet, date, embedding::vector
     FROM unnest($2::text[], $3::text[], $4::int[], $5::int[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[])
       AS t (id, document_id, start_offset, end_offset, text, terms, outlet, date, embedding)`,
    [
      build,
      column((r) => r.chunk.id),
      column((r) => r.chunk.docId),
      column((r) => r.chunk.start),
      column((r) => r.chunk.end),
      column((r) => r.chunk.text),
      column((r) => r.terms),
      column((r) => docs.get(r.chunk.docId)?.outlet ?? null),
      column((r) => docs.get(r.chunk.docId)?.date ?? null),
      column((r) => toSql(Array.from(r.vector))),
    ],
  );
}

/** Deletes rows and builds that neither `previous` nor anything after it can see. */
async function prune(client: PoolClient, previous: string): Promise<void> {
  await client.query('DELETE FROM chunks WHERE removed_build <= $1', [previous]);
  await client.query('DELETE FROM documents WHERE removed_build <= $1', [previous]);
  await client.query('DELETE FROM builds WHERE id < $1', [previous]);
}

export interface LoadedBuild {
  build: string;
  manifest: Manifest;
  documents: Document[];
  chunks: Chunk[];
}

interface DocumentRow extends Omit<Document, 'meta'> {
  meta: Record<string, unknown> | null;
}

/** The published build's (or `build`'s) documents and chunks, in corpus order; INDEX_MISSING before the first. */
export async function loadBuild(db: Database, build?: string): Promise<LoadedBuild> {
  return withClient(db.pool, db.url, async (client) => {
    const id = build ?? (await client.query<{ build_id: string }>('SELECT build_id FROM current_build')).rows[0]?.build_id;
    const row = id ? await buildRow(client, id) : null;
    if (!id || !row) throw new NewsdeskError('INDEX_MISSING', 'The database holds no published build.');
    const documents = (
      await client.query<DocumentRow>(`SELECT id, kind, title, outlet, date, url, text, file, line, meta FROM documents WHERE ${VISIBLE}`, [id])
    ).rows.map(({ meta, ...doc }) => (meta ? { ...doc, meta } : doc));
    // Corpus order: files by name, then by line, as readCorpus reads them.
    documents.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
    const order = new Map(documents.map((doc, i) => [doc.id, i]));
    // A chunk's text is its document's text between its offsets: sliced here rather than read, it
    // shares the document's memory (V8 keeps a slice as a view) instead of being a second copy.
    const rows = (
      await client.query<Omit<Chunk, 'text'>>(`SELECT id, document_id AS "docId", start_offset AS start, end_offset AS "end" FROM chunks WHERE ${VISIBLE}`, [id])
    ).rows;
    const chunks = rows.map((row) => ({ id: row.id, docId: row.docId, text: documents[order.get(row.docId)!]!.text.slice(row.start, row.end), start: row.start, end: row.end }));
    chunks.sort((a, b) => order.get(a.docId)! - order.get(b.docId)! || a.start - b.start);
    return { build: id, manifest: toManifest(row), documents, chunks };
  });
}
