import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { firstCorrectRank } from '../../../src/eval/metrics.js';
import { readQuestions } from '../../../src/eval/run.js';
import { DEFAULT_CHUNKING, chunkDocuments } from '../../../src/index/chunk.js';
import { readCorpus } from '../../../src/index/corpus.js';
import { createEmbedder } from '../../../src/index/embedder.js';
import { openEngine, type EngineOptions } from '../../../src/index/engine.js';
import { postgresBuilds } from '../../../src/index/build-source.js';
import { DEFAULT_SETTINGS, retrieve } from '../../../src/index/retriever.js';
import { explainRetrieval, formatExplanation } from '../../../src/index/explain.js';
import type { Snapshot } from '../../../src/index/snapshot.js';
import { openPostgresIndex } from '../../../src/index/stores/postgres/index.js';
import { vectorStoreFactory } from '../../../src/index/vector-store.js';
import { currentBuildId, loadBuild, type Database } from '../../../src/index/stores/postgres/builds.js';
import { createPool, withClient } from '../../../src/index/stores/postgres/connect.js';
import { buildPostgresIndex } from '../../../src/index/stores/postgres/indexer.js';
import { lexicalSearch } from '../../../src/index/stores/postgres/lexical.js';
import { BUILD_CHANNEL, migrate, SCHEMA_VERSION } from '../../../src/index/stores/postgres/migrate.js';
import { watchBuilds } from '../../../src/index/stores/postgres/watch.js';
import { PostgresVectorStore } from '../../../src/index/stores/postgres/vector-store.js';
import { contentTerms } from '../../../src/index/terms.js';
import type { Answer } from '../../../src/index/types.js';
import { watchIndex } from '../../../src/index/watch.js';
import { fakeEmbedder } from '../../support/fake-embedder.js';
import { startFaultyProxy, startPgliteServer, type PgliteServer } from '../../support/pglite-server.js';
import { DEV_SET, seedWorkspace, useEmbedderOptions, type SeedWorkspace } from '../../support/seed.js';

// One PGlite (pgvector 0.8, pg_textsearch) for the file: starting one takes seconds.
let server: PgliteServer;
let workspace: SeedWorkspace;
let db: Database;
const log = () => {};
const embedder = fakeEmbedder(32);

beforeAll(async () => {
  server = await startPgliteServer();
  workspace = await seedWorkspace();
  db = { pool: createPool({ url: server.url, log }), url: server.url };
});

afterAll(async () => {
  await db?.pool.end();
  await server?.stop();
  await workspace?.cleanup();
});

const build = (extra: Partial<Parameters<typeof buildPostgresIndex>[0]> = {}) =>
  buildPostgresIndex({ db, corpusDir: workspace.corpusDir, dataDir: workspace.dataDir, embedder, chunking: DEFAULT_CHUNKING, log, ...extra });

describe('PostgreSQL store on PGlite', () => {
  it('migrates once, to the current schema, with pgvector and pg_textsearch, and again as a no-op', async () => {
    const first = await migrate(db.pool, db.url);
    expect(first).toEqual({ from: 0, to: SCHEMA_VERSION, vectorVersion: '0.8.7', textsearch: true });
    expect(await migrate(db.pool, db.url)).toEqual({ ...first, from: SCHEMA_VERSION });
    const tables = await withClient(db.pool, db.url, async (c) => (await c.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).rows.map((r) => r.tablename));
    expect(tables).toEqual(['builds', 'chunks', 'current_build', 'documents', 'schema_migrations']);
  });

  it('writes the seed as one build whose documents and chunks load back exactly, in corpus order', async () => {
    const summary = await build();
    const corpus = await readCorpus(workspace.corpusDir);
    const chunks = chunkDocuments(corpus.documents, DEFAULT_CHUNKING);
    expect(summary).toMatchObject({ documents: corpus.documents.length, chunks: chunks.length, writtenDocuments: corpus.documents.length, embedded: chunks.length });
    const loaded = await loadBuild(db);
    expect(loaded.build).toBe(summary.build);
    expect(loaded.documents).toEqual(corpus.documents);
    expect(loaded.chunks).toEqual(chunks);
    expect(loaded.manifest).toMatchObject({ embedder: { id: embedder.id, dimensions: 32 }, corpusHash: corpus.hash, chunks: chunks.length });
  });

  it('answers dense top-k through the HNSW index, with ef_search per query and outlet filters in SQL', async () => {
    const loaded = await loadBuild(db);
    const store = new PostgresVectorStore(db, loaded.build, 32);
    expect(await store.count()).toBe(loaded.chunks.length);
    const target = loaded.chunks[5]!;
    const [vector] = await store.vectors([target.id]);
    const hits = await store.search(vector!, 3);
    expect(hits[0]).toEqual({ id: target.id, score: expect.closeTo(1, 5) });
    expect(hits).toHaveLength(3);
    expect(await store.vectors(['no-such-chunk'])).toEqual([undefined]);
    const outlet = loaded.documents.find((d) => d.outlet && d.id !== target.docId)!.outlet!;
    const filtered = await store.search(vector!, 50, { outlet });
    const outletOf = new Map(loaded.chunks.map((c) => [c.id, loaded.documents.find((d) => d.id === c.docId)!.outlet]));
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((hit) => outletOf.get(hit.id) === outlet)).toBe(true);
    const plan = await withClient(db.pool, db.url, async (c) => {
      await c.query('SET enable_seqscan = off');
      const { rows } = await c.query(`EXPLAIN SELECT id FROM chunks ORDER BY embedding <=> '[${Array.from(vector!).join(',')}]' LIMIT 3`);
      await c.query('RESET enable_seqscan');
      return rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toContain('Index Scan using chunks_embedding_hnsw');
  });

  it('ranks lexically in the database, by BM25 (pg_textsearch) and by ts_rank_cd, on the same terms', async () => {
    const loaded = await loadBuild(db);
    const frequency = new Map<string, number>();
    for (const chunk of loaded.chunks) for (const term of new Set(contentTerms(chunk.text))) frequency.set(term, (frequency.get(term) ?? 0) + 1);
    // A term only one chunk holds must come first under both rankers.
    const [rare, holder] = [...frequency].filter(([, n]) => n === 1).map(([term]) => [term, loaded.chunks.find((c) => contentTerms(c.text).includes(term))!] as const)[0]!;
    const terms = [{ term: rare, weight: 1 }, { term: contentTerms(loaded.chunks[0]!.text)[0]!, weight: 0.3 }];
    const idf = (term: string) => Math.log(1 + loaded.chunks.length / (frequency.get(term) ?? 1));
    const outletOf = new Map(loaded.chunks.map((c) => [c.id, loaded.documents.find((d) => d.id === c.docId)!.outlet]));
    const elsewhere = loaded.chunks.find((c) => outletOf.get(c.id) && outletOf.get(c.id) !== outletOf.get(holder.id))!;
    const other = outletOf.get(elsewhere.id)!;
    const withOther = [terms[0]!, { term: contentTerms(elsewhere.text)[0]!, weight: 0.3 }];
    for (const bm25 of [true, false]) {
      const hits = await lexicalSearch(db, loaded.build, terms, 5, { bm25, idf });
      expect(hits[0]!.id, `bm25: ${bm25}`).toBe(holder.id);
      expect(hits.every((hit, i) => i === 0 || hit.score <= hits[i - 1]!.score)).toBe(true);
      // Within another outlet (a WHERE clause), the holder is gone and only that outlet's chunks rank.
      const within = await lexicalSearch(db, loaded.build, withOther, 5, { bm25, idf, filter: { outlet: other } });
      expect(within.length, `bm25: ${bm25}`).toBeGreaterThan(0);
      expect(within.map((hit) => outletOf.get(hit.id))).toEqual(within.map(() => other));
    }
  });

  it('asks both rankers for a question\'s outlet and dated range as WHERE clauses, finding passages the unfiltered top-k lacks', async () => {
    await withSnapshot(async (snapshot) => {
      const { outlet, date, topic } = sparseOutletAndOtherTopic(snapshot);
      const [year, month, day] = date.split('-').map(Number) as [number, number, number];
      const monthName = new Date(Date.UTC(year, month - 1, day)).toLocaleString('en-US', { month: 'long', timeZone: 'UTC' });
      const question = `What did ${outlet} report on ${monthName} ${day}, ${year} about ${topic}?`;
      const sql = captureQueries();
      const found = await retrieve(snapshot, question, 3, FEW);
      const sent = sql.stop();
      expect(found.parsed).toMatchObject({ outlet, date: { year, month, day } });
      expect(found.trace.inStore).toEqual({ outlet, from: date, to: date });
      expect(formatExplanation(explainRetrieval(snapshot, question, found))).toContain(`filters: outlet ${outlet}, date ${year}-${month}-${day} (in the database, before ranking)`);
      expect(found.unmatched).toBeUndefined();
      const shown = [...found.hits, ...found.more];
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.map((hit) => [hit.doc.outlet, hit.doc.date])).toEqual(shown.map(() => [outlet, date]));
      // One dense and one lexical query, each holding the three clauses with the question's values.
      const ranked = sent.filter((q) => /ORDER BY embedding <=>|GROUP BY c\.id/.test(q.text));
      expect(ranked).toHaveLength(2);
      for (const q of ranked) {
        expect(q.text).toMatch(/lower\(outlet\) = lower\(\$\d+\) AND date >= \$\d+ AND date <= \$\d+/);
        expect(q.values.slice(-3)).toEqual([outlet, date, date]);
      }
      // Filtered after fusion instead (the embedded store's way), the same few candidates hold none of them.
      const after = await retrieve({ ...snapshot, rankers: { ...snapshot.rankers, filters: false } }, question, 3, FEW);
      expect(after.unmatched).toEqual({ outlet, date: { year, month, day } });
    });
  });

  it('falls back to the unfiltered rankings when the outlet and date match nothing, and says which filters were dropped', async () => {
    await withSnapshot(async (snapshot) => {
      const { outlet, topic } = sparseOutletAndOtherTopic(snapshot);
      const sql = captureQueries();
      const found = await retrieve(snapshot, `What did ${outlet} report about ${topic} in 2019?`, 3, FEW);
      const dense = sql.stop().filter((q) => q.text.includes('ORDER BY embedding <=>'));
      expect(found.unmatched).toEqual({ outlet, date: { year: 2019 } });
      expect(found.trace.inStore).toBeUndefined();
      expect(found.hits.length).toBeGreaterThan(0);
      expect(dense.map((q) => q.values.length)).toEqual([6, 3]);
      expect(dense[0]!.values.slice(-3)).toEqual([outlet, '2019-01-01', '2019-12-31']);
    });
  });

  it('writes only what changed: a new document adds its rows, a removed one retires them, the previous build stays readable', async () => {
    const before = await loadBuild(db);
    const calls = embedder.calls;
    await writeFile(join(workspace.corpusDir, 'zz-new.md'), '---\ntitle: Harbour dredging starts\noutlet: Valley Courier\ndate: 2025-05-02\n---\nDredging of the harbour began on Friday.\n');
    const added = await build();
    expect(added).toMatchObject({ writtenDocuments: 1, documents: before.documents.length + 1, embedded: 1 });
    expect(embedder.calls - calls).toBe(1);
    const after = await loadBuild(db);
    expect(after.chunks.map((c) => c.id)).toEqual([...before.chunks.map((c) => c.id), after.chunks.at(-1)!.id]);
    expect((await loadBuild(db, before.build)).chunks).toEqual(before.chunks);
    const unchanged = await build();
    expect(unchanged).toMatchObject({ writtenDocuments: 0, embedded: 0 });
    await writeFile(join(workspace.corpusDir, 'zz-new.md'), 'not front matter any more: a plain text document now\n');
    const changed = await build();
    expect(changed.writtenDocuments).toBe(1);
    expect((await loadBuild(db)).chunks.at(-1)!.text).toBe('not front matter any more: a plain text document now');
    // Rows only builds before the previous one could see are gone.
    const rows = await withClient(db.pool, db.url, async (c) => Number((await c.query('SELECT count(*) AS n FROM chunks')).rows[0].n));
    expect(rows).toBe(before.chunks.length + 2);
  });

  it('swaps to a build as soon as a NOTIFY reaches the LISTEN connection, without waiting for the poll', async () => {
    // PGlite is one backend behind the socket: a NOTIFY comes back on the connection that sent it.
    // So the notification is sent on the watcher's own LISTEN connection, and arrives there as
    // from a server: a NotificationResponse that the pg client parses and emits.
    const watchDb: Database = { pool: createPool({ url: server.url, log, max: 2 }), url: server.url };
    const connect = vi.spyOn(watchDb.pool, 'connect');
    const seen: string[] = [];
    const watch = await watchBuilds(watchDb, { current: await currentBuildId(db), pollMs: 3_600_000, log, onBuild: (b) => void seen.push(b) });
    try {
      const listener = (await connect.mock.results[0]!.value) as pg.PoolClient;
      await writeFile(join(workspace.corpusDir, 'zz-watch.md'), '---\ntitle: Lighthouse repainted\noutlet: Valley Courier\ndate: 2025-05-04\n---\nThe lighthouse was repainted red.\n');
      const { build: published } = await build();
      await listener.query("SELECT pg_notify('other_channel', 'x')");
      expect(connect).toHaveBeenCalledTimes(1);
      expect(seen).toEqual([]);
      await listener.query('SELECT pg_notify($1, $2)', [BUILD_CHANNEL, published]);
      await expect.poll(() => seen, { timeout: 5_000, interval: 20 }).toEqual([published]);
    } finally {
      await watch.close();
      await watchDb.pool.end();
      await rm(join(workspace.corpusDir, 'zz-watch.md'));
    }
  });

  it('retries a query whose connection drops mid-query once, on a new connection, and answers', async () => {
    const proxy = await startFaultyProxy(server.url);
    const viaProxy: Database = { pool: createPool({ url: proxy.url, log }), url: proxy.url };
    try {
      const loaded = await loadBuild(viaProxy);
      const store = new PostgresVectorStore(viaProxy, loaded.build, 32);
      const [vector] = await store.vectors([loaded.chunks[0]!.id]);
      proxy.dropNextQuery();
      const hits = await store.search(vector!, 1);
      expect(proxy.dropped).toBe(1);
      expect(hits[0]!.id).toBe(loaded.chunks[0]!.id);
    } finally {
      await viaProxy.pool.end();
      await proxy.stop();
    }
  });

  it('reports a server that cannot be reached as PG_UNREACHABLE, naming host and port but no password', async () => {
    const proxy = await startFaultyProxy(server.url);
    await proxy.stop();
    const url = proxy.url.replace('postgres@', 'postgres:secret@');
    const gone: Database = { pool: createPool({ url, log }), url };
    try {
      const error = await currentBuildId(gone).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'PG_UNREACHABLE' });
      expect((error as Error).message).toContain(`127.0.0.1:${new URL(url).port}/postgres`);
      expect((error as Error).message).not.toContain('secret');
    } finally {
      await gone.pool.end();
    }
  });
});

/** Few candidates per ranker, so that filtering after fusion has little to choose from. */
const FEW = { ...DEFAULT_SETTINGS, candidates: 5 };

/** A snapshot of the published build, as the engine loads it with STORE=postgres. */
async function withSnapshot(fn: (snapshot: Snapshot) => Promise<void>): Promise<void> {
  const database = await openPostgresIndex({ url: server.url, log });
  try {
    const source = postgresBuilds(database, { corpusDir: workspace.corpusDir, dataDir: workspace.dataDir, embedder: useEmbedderOptions(join(workspace.root, 'models')), chunking: DEFAULT_CHUNKING, stores: await vectorStoreFactory(), log });
    await fn(await source.load(embedder));
  } finally {
    await database.close();
  }
}

/** The dated outlet with the fewest passages, one of its dates, and words from another outlet's passage. */
function sparseOutletAndOtherTopic(snapshot: Snapshot): { outlet: string; date: string; topic: string } {
  const docOf = (docId: string) => snapshot.docById.get(docId)!;
  const counts = new Map<string, number>();
  for (const chunk of snapshot.chunks) {
    const doc = docOf(chunk.docId);
    if (doc.outlet && doc.date) counts.set(doc.outlet, (counts.get(doc.outlet) ?? 0) + 1);
  }
  const outlet = [...counts].sort((a, b) => a[1] - b[1] || a[0].localeCompare(b[0]))[0]![0];
  const date = snapshot.documents.find((d) => d.outlet === outlet && d.date)!.date!;
  const other = snapshot.chunks.find((c) => docOf(c.docId).outlet !== outlet && contentTerms(c.text).length >= 4)!;
  return { outlet, date, topic: other.text.split(/\s+/).slice(0, 8).join(' ').replace(/[?.!,;:]+$/, '') };
}

/** Every statement the pg client sends until stop(). */
function captureQueries() {
  const spy = vi.spyOn(pg.Client.prototype, 'query');
  return {
    stop(): Array<{ text: string; values: unknown[] }> {
      const calls = spy.mock.calls.map(([text, values]) => ({ text: String(text), values: Array.isArray(values) ? values : [] }));
      spy.mockRestore();
      return calls;
    },
  };
}

// After the store tests: these rebuild the same database with the real embedder (another
// embedder and dimension, so a full rebuild that re-types the vector column).
describe('the engine with STORE=postgres', () => {
  const engineOptions = (): EngineOptions => ({
    corpusDir: workspace.corpusDir,
    dataDir: workspace.dataDir,
    embedder: useEmbedderOptions(join(workspace.root, 'models')),
    chunking: DEFAULT_CHUNKING,
    log,
    buildIfMissing: true,
  });

  it('builds the seed into the database: dense answers equal the embedded store\'s, hybrid ones find the gold', async () => {
    await rm(join(workspace.corpusDir, 'zz-new.md'));
    const use = await createEmbedder(engineOptions().embedder);
    expect(await build({ embedder: use })).toMatchObject({ writtenDocuments: 81, embedded: 122 });
    const postgres = await openEngine({ ...engineOptions(), postgres: { url: server.url } });
    const embedded = await openEngine(engineOptions());
    try {
      expect({ ...postgres.about(), builtAt: '' }).toEqual({ ...embedded.about(), builtAt: '' });
      const view = (a: Answer) => ({ answered: a.answered, passages: a.passages.map((p) => [p.chunkId, p.score.toFixed(4)]) });
      for (const { q, gold } of (await readQuestions(DEV_SET)).slice(0, 6)) {
        // pgvector's HNSW and hnswlib agree on a corpus this small: dense alone answers the same.
        expect(view(await postgres.ask(q, { mode: 'dense' })), q).toEqual(view(await embedded.ask(q, { mode: 'dense' })));
        // The lexical ranker is the database's own (BM25 over the same terms): not identical, but right.
        const hybrid = await postgres.ask(q);
        expect(firstCorrectRank(hybrid.passages.map((p) => p.text), gold), q).not.toBeNull();
      }
    } finally {
      await embedded.close();
      await postgres.close();
    }
  });

  it('lets a second engine pick up a build another one published, by polling current_build (PGlite sends a NOTIFY back only to the connection that sent it)', async () => {
    const writer = await openEngine({ ...engineOptions(), postgres: { url: server.url } });
    const reader = await openEngine({ ...engineOptions(), postgres: { url: server.url } });
    const events: Array<Record<string, unknown>> = [];
    const watcher = await watchIndex({ dataDir: workspace.dataDir, engine: reader, log: (e) => void events.push(e), postgres: { url: server.url, pollSeconds: 1 } });
    try {
      const before = reader.about().builtAt;
      await writeFile(join(workspace.corpusDir, 'zz-ferry.md'), '---\ntitle: Ferry timetable changes\noutlet: Valley Courier\ndate: 2025-05-03\n---\nThe ferry to the island now leaves at seven every morning.\n');
      const summary = await writer.reindex();
      expect(summary).toMatchObject({ embedded: 1, cached: summary.chunks - 1 });
      await expect.poll(() => events, { timeout: 10_000, interval: 100 }).toContainEqual({ event: 'reload', ok: true });
      expect(reader.about().builtAt).not.toBe(before);
      const answer = await reader.ask('When does the ferry to the island leave?');
      expect(answer.passages[0]?.text).toBe('The ferry to the island now leaves at seven every morning.');
    } finally {
      watcher.close();
      await reader.close();
      await writer.close();
    }
  });
});
