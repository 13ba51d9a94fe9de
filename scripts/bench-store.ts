/**
 * `npm run bench -- --store postgres [--scale N]`: the embedded store next to PostgreSQL with
 * pgvector, on the same synthetic corpus (default 10k chunks) and the same cheap 512-dimension
 * embedder, in one run: build time (cold, and after adding one document), dense top-k and full
 * answer latency, sizes. PostgreSQL here is PGlite (WASM, in this process, one query at a time)
 * unless --database-url names a real server, so its times are an upper bound.
 */
import { spawn } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import hnswlib from 'hnswlib-node';
import { existsSync } from 'node:fs';
import { DEFAULT_CHUNKING } from '../src/index/chunk.js';
import { createEmbedder, type Embedder, type EmbedderOptions } from '../src/index/embedder.js';
import { openEngine, type EngineOptions } from '../src/index/engine.js';
import { evaluate, readQuestions, SYSTEMS } from '../src/eval/run.js';
import { buildIndex } from '../src/index/indexer.js';
import { currentBuild } from '../src/index/store.js';
import { loadBuild, type Database } from '../src/index/stores/postgres/builds.js';
import { createPool, withClient } from '../src/index/stores/postgres/connect.js';
import { buildPostgresIndex } from '../src/index/stores/postgres/indexer.js';
import { PostgresVectorStore } from '../src/index/stores/postgres/vector-store.js';
import type { MemoryJob, MemoryResult } from './support/engine-memory.js';
import { buildGatherModel } from './support/gather-model.js';
import { newsVocabulary, writeExtraArticle, writeNewsCorpus } from './support/news-corpus.js';

const MODEL = 'bench/news-gather-512';
const DIMENSIONS = 512;
const K = 50;
const ROUNDS = 3;

export interface StoreBenchOptions {
  size: number;
  /** A real server to measure instead of PGlite. Its tables are written. */
  databaseUrl?: string;
  log: (line: string) => void;
}

const now = () => performance.now();
async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = now();
  const result = await work();
  return [result, now() - start];
}
function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${x.toFixed(x < 10 ? 2 : 1)} ms`);
const p50p99 = (xs: number[]) => `p50 ${ms(percentile(xs, 50))}, p99 ${ms(percentile(xs, 99))}`;
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

async function timeEach<T>(items: T[], work: (item: T) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let round = 0; round < ROUNDS; round++) for (const item of items) times.push((await timed(() => work(item)))[1]);
  return times;
}

async function startDatabase(options: StoreBenchOptions): Promise<{ url: string; kind: string; stop: () => Promise<void> }> {
  if (options.databaseUrl) return { url: options.databaseUrl, kind: 'PostgreSQL at --database-url', stop: async () => {} };
  const { startPgliteServer } = await import('../tests/support/pglite-server.js');
  const server = await startPgliteServer();
  return { url: server.url, kind: 'PGlite 0.5 (PostgreSQL 18, WASM, in this process) + pgvector 0.8.7 + pg_textsearch, behind pglite-socket', stop: server.stop };
}

export async function runStoreBench(options: StoreBenchOptions): Promise<void> {
  const work = await mkdtemp(join(tmpdir(), 'newsdesk-store-bench-'));
  const database = await startDatabase(options);
  const db: Database = { pool: createPool({ url: database.url, log: options.log }), url: database.url };
  try {
    process.stdout.write(
      [
        `newsdesk store bench, ${new Date().toISOString()}`,
        `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, node ${process.version}, load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
        `embedder: cheap ${DIMENSIONS}-dimension ONNX model (as npm run bench -- --scale): for cost, not quality`,
        `postgres: ${database.kind}${options.databaseUrl ? '' : '; WASM and single-threaded: treat its times as an upper bound for a real server'}`,
        '',
      ].join('\n'),
    );
    const model = await buildGatherModel({ dir: join(work, 'models'), name: MODEL, words: newsVocabulary(), dimensions: DIMENSIONS, seed: 0x5eed, producer: 'newsdesk-bench' });
    const embedderOptions: EmbedderOptions = { kind: 'transformers', model: model.model, modelsDir: model.modelsDir, allowRemote: false, quantized: false, log: options.log };
    const embedder = await createEmbedder(embedderOptions);
    const corpusDir = join(work, 'corpus');
    const corpus = await writeNewsCorpus(corpusDir, options.size);
    const rows = await measure({ work, corpusDir, embedder, embedderOptions, db, url: database.url, questions: corpus.questions, options, addDocument: () => writeExtraArticle(corpusDir, corpus) });
    process.stdout.write(
      [
        `## ${corpus.chunks.toLocaleString('en')} chunks (${corpus.files} files)`,
        '',
        '| | embedded (hnswlib + files) | PostgreSQL (pgvector) |',
        '| --- | --- | --- |',
        ...rows.map(([what, embedded, postgres]) => `| ${what} | ${embedded} | ${postgres} |`),
        '',
      ].join('\n'),
    );
    await embedder.close?.();
    process.stdout.write(`${await seedEval(work, database.url, options.log)}\n`);
  } finally {
    await db.pool.end();
    await database.stop();
    await rm(work, { recursive: true, force: true });
  }
}

interface MeasureInput {
  work: string;
  corpusDir: string;
  embedder: Embedder;
  embedderOptions: EmbedderOptions;
  url: string;
  db: Database;
  questions: string[];
  options: StoreBenchOptions;
  addDocument: () => Promise<unknown>;
}

async function measure(input: MeasureInput): Promise<Array<[string, string, string]>> {
  const { work, corpusDir, embedder, db, log } = { ...input, log: input.options.log };
  const embeddedDir = join(work, 'data-embedded');
  const postgresDir = join(work, 'data-postgres');
  log('store bench: embedded cold build');
  const [embeddedCold, embeddedColdMs] = await timed(() => buildIndex({ corpusDir, dataDir: embeddedDir, embedder, chunking: DEFAULT_CHUNKING }));
  log('store bench: postgres cold build');
  const [postgresCold, postgresColdMs] = await timed(() => buildPostgresIndex({ db, corpusDir, dataDir: postgresDir, embedder, chunking: DEFAULT_CHUNKING, log }));
  const queries = await embedder.embed(input.questions);
  const hnsw = new hnswlib.HierarchicalNSW('cosine', DIMENSIONS);
  await hnsw.readIndex(join(embeddedDir, 'index', 'builds', (await currentBuild(embeddedDir))!, 'vectors.hnsw'));
  hnsw.setEf(Math.max(64, K));
  const loaded = await loadBuild(db);
  const store = new PostgresVectorStore(db, loaded.build, DIMENSIONS);
  log('store bench: dense top-k');
  const hnswMs = await timeEach(queries, async (q) => hnsw.searchKnn(Array.from(q), K));
  const pgMs = await timeEach(queries, (q) => store.search(q, K));
  const overlap = await recallAgainst(hnsw, store, queries, loaded.chunks.map((c) => c.id));
  log('store bench: full answers through each engine');
  const engineOptions = (dataDir: string): EngineOptions => ({ corpusDir, dataDir, embedder: input.embedderOptions, chunking: DEFAULT_CHUNKING, log });
  const answerMs = async (options: EngineOptions) => {
    const [engine, openMs] = await timed(() => openEngine(options));
    try {
      // Answers on the HNSW graph, not on the exact scan that answers before it is in.
      await engine.indexed?.();
      return { openMs, times: await timeEach(input.questions, (q) => engine.ask(q)) };
    } finally {
      await engine.close();
    }
  };
  const embeddedAnswers = await answerMs(engineOptions(embeddedDir));
  const postgresAnswers = await answerMs({ ...engineOptions(postgresDir), postgres: { url: input.url } });
  log('store bench: memory of one engine process');
  const memoryJob: MemoryJob = { corpusDir, dataDir: embeddedDir, embedder: withoutLog(input.embedderOptions), question: input.questions[0]! };
  const embeddedMemory = await engineMemory(memoryJob);
  const postgresMemory = await engineMemory({ ...memoryJob, dataDir: postgresDir, databaseUrl: input.url });
  log('store bench: adding one document');
  await input.addDocument();
  const [embeddedAdd, embeddedAddMs] = await timed(() => buildIndex({ corpusDir, dataDir: embeddedDir, embedder, chunking: DEFAULT_CHUNKING }));
  const [postgresAdd, postgresAddMs] = await timed(() => buildPostgresIndex({ db, corpusDir, dataDir: postgresDir, embedder, chunking: DEFAULT_CHUNKING, log }));
  const sizes = await relationSizes(db);
  return [
    ['cold build', `${ms(embeddedColdMs)} (${embeddedCold.chunks} chunks)`, `${ms(postgresColdMs)} (${postgresCold.chunks} chunks)`],
    ['add one document, then re-index', `${ms(embeddedAddMs)} (embedded ${embeddedAdd.embedded})`, `${ms(postgresAddMs)} (${postgresAdd.writtenDocuments} document written, embedded ${postgresAdd.embedded})`],
    [`dense top-${K} (${queries.length} questions x ${ROUNDS})`, `raw hnswlib searchKnn: ${p50p99(hnswMs)}`, `pgvector HNSW over the wire, ef_search ${Math.max(64, K)}: ${p50p99(pgMs)}; same top-10 as hnswlib: ${(overlap * 100).toFixed(0)}%`],
    ['engine open (load the build)', ms(embeddedAnswers.openMs), ms(postgresAnswers.openMs)],
    [`full answer, engine.ask (${input.questions.length} questions x ${ROUNDS}; includes the query embedding)`, p50p99(embeddedAnswers.times), `${p50p99(postgresAnswers.times)} (dense and lexical top-k in the database)`],
    [
      'one engine process after one question (after gc)',
      memoryCell(embeddedMemory),
      `${memoryCell(postgresMemory)}; an in-process BM25 index over these chunks, which it no longer builds, adds ${postgresMemory.bm25!.heapMiB.toFixed(0)} MiB heap (${postgresMemory.bm25!.rssMiB.toFixed(0)} MiB RSS)`,
    ],
    ['on disk', '', `chunks heap+TOAST ${mib(sizes.heap)}, HNSW index ${mib(sizes.hnsw)}, GIN ${mib(sizes.gin)}${sizes.bm25 ? `, BM25 ${mib(sizes.bm25)}` : ''}`],
  ];
}

const withoutLog = ({ log: _log, ...rest }: EmbedderOptions) => rest;
const memoryCell = (m: MemoryResult) => `RSS ${m.rssMiB.toFixed(0)} MiB, heap used ${m.heapMiB.toFixed(0)} MiB`;

/** One engine opened in a child process (scripts/support/engine-memory.ts), as a bot holds it. */
function engineMemory(job: MemoryJob): Promise<MemoryResult> {
  const script = fileURLToPath(new URL('./support/engine-memory.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', script, JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (data: Buffer) => (out += data));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as MemoryResult) : reject(new Error(`engine memory probe exited with ${code}`))));
  });
}

/** Share of hnswlib's top 10 that pgvector also returns in its top 10: the two HNSW graphs differ. */
async function recallAgainst(hnsw: hnswlib.HierarchicalNSW, store: PostgresVectorStore, queries: Float32Array[], ids: string[]): Promise<number> {
  let shared = 0;
  for (const q of queries) {
    const embedded = new Set(hnsw.searchKnn(Array.from(q), 10).neighbors.map((label) => ids[label]));
    shared += (await store.search(q, 10)).filter((hit) => embedded.has(hit.id)).length;
  }
  return shared / (queries.length * 10);
}

async function relationSizes(db: Database): Promise<{ heap: number; hnsw: number; gin: number; bm25: number }> {
  return withClient(db.pool, db.url, async (client) => {
    const size = async (sql: string) => Number((await client.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
    return {
      heap: await size("SELECT pg_table_size('chunks') AS n"),
      hnsw: await size("SELECT pg_relation_size('chunks_embedding_hnsw') AS n"),
      gin: await size("SELECT pg_relation_size('chunks_tsv') AS n"),
      bm25: await size("SELECT coalesce(pg_relation_size(to_regclass('chunks_bm25')), 0) AS n"),
    };
  });
}

const EVAL_SETS = ['../shared/eval/dev.jsonl', '../shared/eval/dev-hard.jsonl', '../shared/eval/followups.jsonl'];
const SEED = 'corpus/000_9ae99c27894fbda8.txt';

/** The seed built with the Universal Sentence Encoder into both stores, and the eval sets asked of each. */
async function seedEval(work: string, url: string, log: (line: string) => void): Promise<string> {
  const sets = EVAL_SETS.filter((path) => existsSync(path));
  if (sets.length === 0 || !existsSync(SEED)) return 'eval quality: skipped (no ../shared/eval sets or seed corpus here)';
  const corpusDir = join(work, 'seed');
  await mkdir(corpusDir, { recursive: true });
  await copyFile(SEED, join(corpusDir, 'seed.txt'));
  const base: EngineOptions = {
    corpusDir,
    dataDir: join(work, 'data-seed'),
    embedder: { kind: 'use', model: '', modelsDir: join(work, 'models'), allowRemote: false, quantized: true, log },
    chunking: DEFAULT_CHUNKING,
    log,
    buildIfMissing: true,
  };
  const lines = ['## eval quality on the seed (Universal Sentence Encoder), hybrid R@1 / R@3 / MRR@10', '', '| set | embedded | PostgreSQL |', '| --- | --- | --- |'];
  const [embedded, postgres] = [await openEngine(base), await openPostgresSeed(base, url)];
  try {
    for (const path of sets) {
      const questions = await readQuestions(path);
      const hybrid = SYSTEMS.find((s) => s.mode === 'hybrid')!.mode;
      const cell = async (engine: typeof embedded) => {
        const s = await evaluate(engine, questions, hybrid);
        return `${s.r1.toFixed(2)} / ${s.r3.toFixed(2)} / ${s.mrr10.toFixed(2)}`;
      };
      lines.push(`| ${path.split('/').pop()} (${questions.length}) | ${await cell(embedded)} | ${await cell(postgres)} |`);
    }
  } finally {
    await embedded.close();
    await postgres.close();
  }
  return lines.join('\n');
}

/** The seed replaces the synthetic build in the database: another embedder, so a full build. */
async function openPostgresSeed(base: EngineOptions, url: string) {
  const embedder = await createEmbedder(base.embedder);
  const db: Database = { pool: createPool({ url, log: base.log }), url };
  try {
    const build = () => buildPostgresIndex({ db, corpusDir: base.corpusDir, dataDir: base.dataDir, embedder, chunking: DEFAULT_CHUNKING, log: base.log });
    await build();
    // A second build writes nothing and deletes the synthetic rows the first one retired; VACUUM
    // (autovacuum's job on a server) clears them from the indexes, pg_textsearch's statistics too.
    await build();
    await db.pool.query('VACUUM chunks');
  } finally {
    await embedder.close?.();
    await db.pool.end();
  }
  return openEngine({ ...base, postgres: { url } });
}
