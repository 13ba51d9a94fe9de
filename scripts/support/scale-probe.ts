/**
 * The question side of `npm run bench -- --scale N`, run in a fresh process so that load time and
 * resident memory are those of a process that only opens the engine (as `npm run ask` does), not
 * of the one that generated and built the corpus. Reads a job file, prints one JSON object.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import MiniSearch from 'minisearch';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import type { Embedder, EmbedderOptions } from '../../src/index/embedder.js';
import { openEngine } from '../../src/index/engine.js';
import { boostRecent } from '../../src/index/fusion.js';
import { DEFAULT_SETTINGS } from '../../src/index/retriever.js';
import { answer, loadSnapshot, type Snapshot } from '../../src/index/snapshot.js';
import { currentBuild, loadIndex } from '../../src/index/store.js';
import { vectorStoreFactory, type VectorStoreFactory } from '../../src/index/vector-store.js';
import { isStopword, WORD } from '../../src/index/terms.js';
import type { Chunk } from '../../src/index/types.js';
import { longDate } from './news-corpus.js';

export interface ProbeJob {
  corpusDir: string;
  dataDir: string;
  modelsDir: string;
  model: string;
  questions: string[];
  headlineQueries: string[];
  outlets: string[];
  dated: Array<{ outlet: string; date: string }>;
  rounds: number;
  /** Only open the engine as `npm run ask` and the bot do (EMBED_THREADS=1), answer one question, wait for the graph: a `LoadResult`. */
  loadOnly?: boolean;
}

/** Times from the start of openEngine. */
export interface LoadResult {
  /** openEngine resolved. */
  loadMs: number;
  /** The first question, asked as soon as it opened, answered (by the exact scan, until the graph is in). */
  firstAnswerMs: number;
  /** The HNSW graph took over from the exact scan. */
  graphMs: number;
}

export type Outcome = { ok: true; ms: number; detail: string } | { ok: false; error: string };

export interface ProbeResult {
  /** Opening the engine with the embedder on the main thread (EMBED_THREADS=0), after loadIndex alone. */
  inProcess: LoadResult;
  /** loadIndex alone (the build's files, term data included; no vectors read), measured before the engine opens. */
  indexLoadMs: number;
  rssMiB: number;
  heapMiB: number;
  filterOnlyMs: number[];
  filterOnlyAnswered: number;
  headlinesQueryMs: number[];
  headlinesOutletMs: number[];
  latestNothing: Outcome;
  boostRecent300k: Outcome;
  queryEmbedMs: number[];
  pipelineMs: number[];
  reference: { loadMs: number; miniSearchBuildMs: number; searchKnnMs: number[]; miniSearchMs: number[]; floorMs: number[] };
}

const now = () => performance.now();

async function timeEach<T>(items: T[], rounds: number, work: (item: T) => Promise<unknown> | unknown): Promise<number[]> {
  const times: number[] = [];
  for (let r = 0; r < rounds; r++) {
    for (const item of items) {
      const start = now();
      await work(item);
      times.push(now() - start);
    }
  }
  return times;
}

async function outcome(work: () => Promise<string> | string): Promise<Outcome> {
  const start = now();
  try {
    const detail = await work();
    return { ok: true, ms: now() - start, detail };
  } catch (error) {
    return { ok: false, error: `${(error as Error).name}: ${(error as Error).message}` };
  }
}

function embedderOptions(job: ProbeJob): EmbedderOptions {
  return { kind: 'transformers', model: job.model, modelsDir: job.modelsDir, allowRemote: false, quantized: false, log: () => {} };
}

/** The query vector computed once per text, so that a second ask measures everything but embedding. */
function memoized(embedder: Embedder): Embedder {
  const seen = new Map<string, Float32Array>();
  return {
    id: embedder.id,
    dimensions: embedder.dimensions,
    async embed(texts) {
      const missing = texts.filter((t) => !seen.has(t));
      if (missing.length) (await embedder.embed(missing)).forEach((v, i) => seen.set(missing[i]!, v));
      return texts.map((t) => seen.get(t)!);
    },
  };
}

function gc() {
  (globalThis as { gc?: () => void }).gc?.();
}

/** Opens the engine with `threads` embedding threads, asks one question at once, and waits for the HNSW graph. */
async function openTimed(job: ProbeJob, threads: number) {
  const start = now();
  const engine = await openEngine({ corpusDir: job.corpusDir, dataDir: job.dataDir, embedder: { ...embedderOptions(job), threads }, chunking: DEFAULT_CHUNKING, log: () => {} });
  const loadMs = now() - start;
  await engine.ask(job.questions[0]!);
  const firstAnswerMs = now() - start;
  await engine.indexed?.();
  return { engine, times: { loadMs, firstAnswerMs, graphMs: now() - start } };
}

async function probe(job: ProbeJob): Promise<ProbeResult> {
  // The build's files as a snapshot reads them; the store loaded as for an update, so that it
  // reads no vectors in the background while the engine below opens.
  const stores = await vectorStoreFactory();
  const unread: VectorStoreFactory = { ...stores, load: (dir, dimensions) => stores.load(dir, dimensions, { purpose: 'update' }) };
  const indexStart = now();
  await loadIndex(job.dataDir, undefined, unread);
  const indexLoadMs = now() - indexStart;
  gc();
  const { engine, times: inProcess } = await openTimed(job, 0);
  gc();
  const memory = process.memoryUsage();

  const filterQuestions = job.dated.slice(0, 20).map(({ outlet, date }) => `What did ${outlet} report on ${longDate(date).replace(/(\d+)(st|nd|rd|th),/, '$1,')}?`);
  let filterOnlyAnswered = 0;
  const filterOnlyMs = await timeEach(filterQuestions, job.rounds, async (q) => {
    if ((await engine.ask(q)).answered) filterOnlyAnswered++;
  });
  const headlinesQueryMs = await timeEach(job.headlineQueries.slice(0, 10), 1, (query) => engine.headlines({ query }));
  const headlinesOutletMs = await timeEach(job.outlets.slice(0, 10), job.rounds, (outlet) => engine.headlines({ outlet }));
  // A date before the corpus: the filter keeps nothing, so "latest" ranks every chunk.
  const latestNothing = await outcome(async () => {
    const answer = await engine.ask('What is the latest on January 3, 2019?');
    return `answered=${answer.answered}, ${answer.passages.length} passages`;
  });
  const boostRecent300k = await outcome(() => {
    const list = Array.from({ length: 300_000 }, (_, label) => ({ label, score: 1 }));
    return `${boostRecent(list, (label) => label % 731, 0.5).length} ranked`;
  });
  await engine.close();

  const snapshot = await loadSnapshot({ dataDir: job.dataDir, embedder: embedderOptions(job), stores: await vectorStoreFactory() });
  // Question costs are measured on the HNSW graph, not on the exact scan that answers before it is in.
  await snapshot.vectors.whenIndexed?.();
  const queryEmbedMs = await timeEach(job.questions, 1, (q) => snapshot.embedder.embed([q]));
  const cached: Snapshot = { ...snapshot, embedder: memoized(snapshot.embedder) };
  // The same question path as `engine.ask`, on a snapshot whose query vectors are computed already.
  for (const q of job.questions) await answer(cached, q);
  const pipelineMs = await timeEach(job.questions, job.rounds, (q) => answer(cached, q));
  const reference = await referenceRun(job, cached);
  return { inProcess, indexLoadMs, rssMiB: memory.rss / 2 ** 20, heapMiB: memory.heapUsed / 2 ** 20, filterOnlyMs, filterOnlyAnswered, headlinesQueryMs, headlinesOutletMs, latestNothing, boostRecent300k, queryEmbedMs, pipelineMs, reference };
}

/**
 * The floor on the same chunks: raw hnswlib `searchKnn` (k = candidates, ef = candidates) and one
 * query of a MiniSearch with default options over the chunk texts, per question.
 */
async function referenceRun(job: ProbeJob, snapshot: Snapshot) {
  const dir = join(job.dataDir, 'index', 'builds', (await currentBuild(job.dataDir))!);
  // The same chunks and documents as plain JSON files (as builds up to format 5 held them), written
  // outside the index before the clock starts: the reference reads and parses those.
  const plainFiles = { chunks: join(job.dataDir, 'reference-chunks.json'), documents: join(job.dataDir, 'reference-documents.json') };
  await writeFile(plainFiles.chunks, JSON.stringify(snapshot.chunks));
  await writeFile(plainFiles.documents, JSON.stringify(snapshot.documents.map(({ sentences: _, ...doc }) => doc)));
  const loadStart = now();
  const index = new hnswlib.HierarchicalNSW('cosine', snapshot.embedder.dimensions);
  await index.readIndex(join(dir, 'vectors.hnsw'));
  const chunks = JSON.parse(await readFile(plainFiles.chunks, 'utf8')) as Chunk[];
  JSON.parse(await readFile(plainFiles.documents, 'utf8'));
  const loadMs = now() - loadStart;
  const buildStart = now();
  const plain = new MiniSearch<{ id: number; text: string }>({ fields: ['text'] });
  plain.addAll(chunks.map((chunk, id) => ({ id, text: chunk.text })));
  const miniSearchBuildMs = now() - buildStart;
  index.setEf(DEFAULT_SETTINGS.candidates);
  const vectors = await Promise.all(job.questions.map(async (q) => Array.from((await snapshot.embedder.embed([q]))[0]!)));
  // What a plain MiniSearch user would send: the question's words without stopwords ("what", "the").
  const queries = job.questions.map((q) => (q.match(WORD) ?? []).filter((w) => !isStopword(w)).join(' '));
  const searchKnnMs: number[] = [];
  const miniSearchMs: number[] = [];
  const floorMs: number[] = [];
  for (let r = 0; r < job.rounds; r++) {
    job.questions.forEach((_, i) => {
      const a = now();
      index.searchKnn(vectors[i]!, DEFAULT_SETTINGS.candidates);
      const b = now();
      plain.search(queries[i]!);
      const c = now();
      searchKnnMs.push(b - a);
      miniSearchMs.push(c - b);
      floorMs.push(c - a);
    });
  }
  return { loadMs, miniSearchBuildMs, searchKnnMs, miniSearchMs, floorMs };
}

async function loadProbe(job: ProbeJob): Promise<LoadResult> {
  const { engine, times } = await openTimed(job, 1);
  await engine.close();
  return times;
}

const job = JSON.parse(await readFile(process.argv[2]!, 'utf8')) as ProbeJob;
process.stdout.write(`${JSON.stringify(await (job.loadOnly ? loadProbe(job) : probe(job)))}\n`);
