/**
 * `npm run bench -- --scale N[,N...]`: the engine on a synthetic news corpus of about N chunks,
 * embedded by a cheap 512-dimension ONNX model through the real transformers.js path, each figure
 * next to a reference measured in the same run. See printReport for what each row means.
 */
import { spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { constants as bufferConstants } from 'node:buffer';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import hnswlib from 'hnswlib-node';
import { chunkDocuments, DEFAULT_CHUNKING } from '../src/index/chunk.js';
import { readCorpus } from '../src/index/corpus.js';
import { createEmbedder, type Embedder, type EmbedderOptions } from '../src/index/embedder.js';
import { buildIndex } from '../src/index/indexer.js';
import { currentBuild, FORMAT_VERSION } from '../src/index/store.js';
import { buildGatherModel } from './support/gather-model.js';
import { newsVocabulary, writeExtraArticle, writeNewsCorpus, type SyntheticCorpus } from './support/news-corpus.js';
import type { LoadResult, Outcome, ProbeJob, ProbeResult } from './support/scale-probe.js';

const MODEL = 'bench/news-gather-512';
const DIMENSIONS = 512;
const ROUNDS = 3;
const USE_SAMPLE = 256;

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
const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
const p50 = (xs: number[]) => ms(percentile(xs, 50));
const p50p99 = (xs: number[]) => `p50 ${ms(percentile(xs, 50))}, p99 ${ms(percentile(xs, 99))}`;
const outcomeText = (o: Outcome) => (o.ok ? `ok in ${ms(o.ms)} (${o.detail})` : `CRASH: ${o.error}`);

async function filesUnder(dir: string): Promise<Array<{ name: string; size: number }>> {
  const files: Array<{ name: string; size: number }> = [];
  try {
    for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
      if (entry.isFile()) files.push({ name: entry.name, size: (await stat(join(entry.parentPath, entry.name))).size });
    }
  } catch {
    // A missing directory holds nothing.
  }
  return files;
}

const sum = (files: Array<{ size: number }>) => files.reduce((total, f) => total + f.size, 0);

function runProbe<T = ProbeResult>(jobFile: string): Promise<T> {
  const script = fileURLToPath(new URL('./support/scale-probe.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, '--expose-gc', script, jobFile], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (data: Buffer) => (out += data));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out) as T) : reject(new Error(`scale probe exited with ${code}`))));
  });
}

/** Chunks per second of an embedder over `texts`, and how many cores it kept busy meanwhile. */
async function throughput(embedder: Embedder, texts: string[]): Promise<{ perSecond: number; cores: number }> {
  const cpu = process.cpuUsage();
  const [, wall] = await timed(() => embedder.embed(texts));
  const used = process.cpuUsage(cpu);
  return { perSecond: (texts.length / wall) * 1000, cores: (used.user + used.system) / 1000 / wall };
}

/** What an in-place update would cost at least: embed the new chunks, add them to the stored HNSW, write it. */
async function incrementalFloor(dataDir: string, embedder: Embedder, texts: string[]): Promise<number> {
  const path = join(dataDir, 'index', 'builds', (await currentBuild(dataDir))!, 'vectors.hnsw');
  const start = now();
  const vectors = await embedder.embed(texts);
  const index = new hnswlib.HierarchicalNSW('cosine', embedder.dimensions);
  await index.readIndex(path, true);
  const base = index.getCurrentCount();
  index.resizeIndex(base + vectors.length);
  vectors.forEach((v, i) => index.addPoint(Array.from(v), base + i));
  await index.writeIndex(join(dataDir, 'floor.hnsw'));
  return now() - start;
}

interface CacheFacts {
  bytes: number;
  files: string;
  perVector: number;
  limit: string;
}

/** The embedding cache's size, and how far its format can grow. */
async function cacheFacts(dataDir: string, vectors: number): Promise<CacheFacts> {
  const files = await filesUnder(join(dataDir, 'cache'));
  const bytes = sum(files);
  const perVector = bytes / Math.max(1, vectors);
  const json = files.some((f) => f.name.endsWith('.json'));
  // A JSON cache is read and written as one string: V8 caps a string's length.
  const limit = json
    ? `one JSON string: V8 max string length ${bufferConstants.MAX_STRING_LENGTH.toLocaleString('en')} chars -> about ${Math.floor(bufferConstants.MAX_STRING_LENGTH / perVector).toLocaleString('en')} vectors`
    : 'binary append-only records, read in pieces: no string or single-buffer limit; vectors held in RAM';
  return { bytes, files: files.map((f) => f.name).join(', '), perVector, limit };
}

export interface ScaleOptions {
  sizes: number[];
  log: (line: string) => void;
  /** Measure the Universal Sentence Encoder's throughput too (slow to load; once per run). */
  use: boolean;
  /**
   * Keep the generated corpus and its cold build here and reuse them on the next run (the cold
   * build of 100k chunks takes minutes); each run works on a copy. Without it, a temp dir.
   */
  workDir?: string;
}

export async function runScaleBench(options: ScaleOptions): Promise<void> {
  const work = options.workDir ?? (await mkdtemp(join(tmpdir(), 'newsdesk-scale-')));
  await mkdir(work, { recursive: true });
  try {
    const started = new Date();
    const header = [
      `newsdesk scale bench, ${started.toISOString()}`,
      `machine: ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}, ${mib(totalmem())} RAM, node ${process.version}, load average at start ${loadavg().map((x) => x.toFixed(2)).join(' ')}`,
      `embedder: cheap ${DIMENSIONS}-dimension ONNX model "${MODEL}" (one Gather from a seeded table, mean-pooled), built like tests/support/tiny-model.ts, loaded through transformers.js; not a real model: for cost, not quality`,
      `corpus: synthetic news (scripts/support/news-corpus.ts, seed 9): 60 outlets, 2023-06-01..2025-05-31, front-matter articles + clipping files; chunking ${JSON.stringify(DEFAULT_CHUNKING)}`,
      `work dir: ${work} (${options.workDir ? 'kept: cold builds are reused' : 'removed at the end'}; data/ is never touched)`,
    ];
    process.stdout.write(`${header.join('\n')}\n`);
    const model = await buildGatherModel({ dir: join(work, 'models'), name: MODEL, words: newsVocabulary(), dimensions: DIMENSIONS, seed: 0x5eed, producer: 'newsdesk-bench' });
    const embedderOptions: EmbedderOptions = { kind: 'transformers', model: model.model, modelsDir: model.modelsDir, allowRemote: false, quantized: false, log: options.log };
    const embedder = await createEmbedder(embedderOptions);
    let useLine: string | null = null;
    for (const size of options.sizes) {
      const lines = await runOne(work, size, embedder, embedderOptions, options);
      if (options.use && useLine === null) useLine = await useThroughput(work, embedder);
      process.stdout.write(`${[...lines, ...(useLine ? [useLine] : [])].join('\n')}\n`);
    }
  } finally {
    if (!options.workDir) await rm(work, { recursive: true, force: true });
  }
}

async function useThroughput(work: string, cheap: Embedder): Promise<string> {
  const corpus = await readCorpus(join(work, 'corpus'));
  const texts = chunkDocuments(corpus.documents, DEFAULT_CHUNKING).slice(0, USE_SAMPLE).map((c) => c.text);
  const use = await createEmbedder({ kind: 'use', model: '', modelsDir: '', allowRemote: false, quantized: false, log: () => {} });
  await use.embed(texts.slice(0, 8));
  const measured = await throughput(use, texts);
  const reference = await throughput(cheap, texts);
  return `| USE embedding throughput (${texts.length}-chunk sample) | ${measured.perSecond.toFixed(1)} chunks/s, ${measured.cores.toFixed(2)} cores used | cheap model on the same sample: ${reference.perSecond.toFixed(0)} chunks/s, ${reference.cores.toFixed(2)} cores |`;
}

async function runOne(work: string, size: number, embedder: Embedder, embedderOptions: EmbedderOptions, options: ScaleOptions): Promise<string[]> {
  const corpusDir = join(work, 'corpus');
  const dataDir = join(work, `data-${size}`);
  await rm(corpusDir, { recursive: true, force: true });
  await rm(dataDir, { recursive: true, force: true });
  const { corpus, generateMs, cold, coldMs } = await coldBuild(work, size, embedder, options);
  const build = { corpusDir, dataDir, embedder, chunking: DEFAULT_CHUNKING, onProgress: () => {} };
  const cacheBefore = await cacheFacts(dataDir, cold.chunks);
  const indexFiles = await filesUnder(join(dataDir, 'index', 'builds', (await currentBuild(dataDir))!));
  options.log(`scale ${size}: built in ${ms(coldMs)}, probing load and questions`);
  const job: ProbeJob = { corpusDir, dataDir, modelsDir: embedderOptions.modelsDir, model: embedderOptions.model, questions: corpus.questions, headlineQueries: corpus.headlineQueries, outlets: corpus.outlets, dated: corpus.dated, rounds: ROUNDS };
  const jobFile = join(work, 'probe-job.json');
  await writeFile(jobFile, JSON.stringify(job));
  const probe = await runProbe(jobFile);
  // The load again in a process of its own that only opens the engine, as `npm run ask` does.
  const loadJobFile = join(work, 'probe-load-job.json');
  await writeFile(loadJobFile, JSON.stringify({ ...job, loadOnly: true }));
  const load = await runProbe<LoadResult>(loadJobFile);
  options.log(`scale ${size}: adding one document and re-indexing`);
  const added = await writeExtraArticle(corpusDir, corpus);
  const [again, againMs] = await timed(() => buildIndex(build));
  const addedTexts = chunkDocuments((await readCorpus(corpusDir)).documents.filter((d) => d.file === added.split('/').pop()), DEFAULT_CHUNKING).map((c) => c.text);
  const floorMs = await incrementalFloor(dataDir, embedder, addedTexts);
  const cacheAfter = await cacheFacts(dataDir, again.chunks);
  const ref = probe.reference;
  const floor = `raw searchKnn k=50 + 1 plain MiniSearch query (default options, the question's non-stopwords): ${p50p99(ref.floorMs)} (searchKnn p50 ${p50(ref.searchKnnMs)}, MiniSearch p50 ${p50(ref.miniSearchMs)})`;
  const rows: Array<[string, string, string]> = [
    ['add one document, then re-index', `${ms(againMs)} (embedded ${again.embedded}, cached ${again.cached}; cold build ${ms(coldMs)})`, `embed its ${addedTexts.length} chunks + hnswlib readIndex, addPoint, writeIndex: ${ms(floorMs)}`],
    ['load (engine open, `npm run ask` start-up path)', `${ms(load.loadMs)}; first answer at ${ms(load.firstAnswerMs)} (asked as it opened: exact scan); HNSW graph in at ${ms(load.graphMs)} (EMBED_THREADS=1, the default, in a fresh process). Embedder on the main thread, after loadIndex alone (${ms(probe.indexLoadMs)}, no vectors read): open ${ms(probe.inProcess.loadMs)}, first answer at ${ms(probe.inProcess.firstAnswerMs)}, graph at ${ms(probe.inProcess.graphMs)}`, `hnswlib readIndex + JSON.parse of the same chunks/documents as JSON files: ${ms(ref.loadMs)}; plain MiniSearch addAll: ${ms(ref.miniSearchBuildMs)}`],
    ['filter-only question ("what did <outlet> report on <date>")', `${p50p99(probe.filterOnlyMs)} (${probe.filterOnlyAnswered}/${probe.filterOnlyMs.length} answered)`, floor],
    ['`/headlines` with a query (engine.headlines)', p50p99(probe.headlinesQueryMs), floor],
    ['`/headlines` with an outlet (engine.headlines)', p50p99(probe.headlinesOutletMs), floor],
    ['topical question, pipeline without the query embedding', `${p50p99(probe.pipelineMs)} (query embedding alone: p50 ${p50(probe.queryEmbedMs)})`, floor],
    ['"latest" question whose filter matches nothing', outcomeText(probe.latestNothing), `boostRecent over 300k labels: ${outcomeText(probe.boostRecent300k)}`],
    ['embedding cache', `${mib(cacheAfter.bytes)} for ${again.chunks} vectors (${cacheAfter.perVector.toFixed(0)} B a vector; ${cacheAfter.files}); after the cold build ${mib(cacheBefore.bytes)}`, cacheAfter.limit],
    ['resident memory, engine loaded', `RSS ${probe.rssMiB.toFixed(0)} MiB (heap used ${probe.heapMiB.toFixed(0)} MiB), after gc`, `on disk: vectors.hnsw ${mib(sum(indexFiles.filter((f) => f.name === 'vectors.hnsw')))}, documents and chunks (segments) ${mib(sum(indexFiles.filter((f) => f.name.startsWith('segment-'))))}, saved BM25 and terms (lexical.bin) ${mib(sum(indexFiles.filter((f) => f.name === 'lexical.bin')))}, whole build ${mib(sum(indexFiles))}`],
  ];
  return [
    '',
    `## ${size.toLocaleString('en')} chunks requested: ${cold.chunks} chunks in ${cold.documents} documents (${corpus.files} files: ${corpus.articles} articles, ${corpus.headlines} headlines), generated in ${ms(generateMs)}`,
    '',
    '| at this size | measured | reference, same run |',
    '| --- | --- | --- |',
    ...rows.map(([what, measured, reference]) => `| ${what} | ${measured} | ${reference} |`),
    `| build process peak RSS | ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB | |`,
  ];
}

interface ColdBuild {
  corpus: SyntheticCorpus;
  generateMs: number;
  cold: { chunks: number; documents: number };
  coldMs: number;
}

/**
 * Generates the corpus of `size` chunks into work/corpus and builds it cold into work/data-<size>.
 * With a work dir, the first run keeps both under base-<size>-v<format> and later runs copy them:
 * a change of the build format (FORMAT_VERSION) makes a new base.
 */
async function coldBuild(work: string, size: number, embedder: Embedder, options: ScaleOptions): Promise<ColdBuild> {
  const corpusDir = join(work, 'corpus');
  const dataDir = join(work, `data-${size}`);
  const base = join(work, `base-${size}-v${FORMAT_VERSION}`);
  const marker = join(base, 'cold.json');
  if (options.workDir) {
    const saved = await readFile(marker, 'utf8').then((text) => JSON.parse(text) as ColdBuild, () => null);
    if (saved) {
      options.log(`scale ${size}: reusing the cold build in ${base}`);
      await cp(join(base, 'corpus'), corpusDir, { recursive: true, preserveTimestamps: true });
      await cp(join(base, 'data'), dataDir, { recursive: true, preserveTimestamps: true });
      // The copies have new inodes, so the build's stat cache would vouch for none of them: an
      // unchanged re-index records them, as the live build of a real corpus has its own files'.
      options.log(`scale ${size}: re-indexing the copy unchanged, to record its files' stats`);
      await buildIndex({ corpusDir, dataDir, embedder, chunking: DEFAULT_CHUNKING, onProgress: () => {} });
      return saved;
    }
  }
  const [corpus, generateMs] = await timed(() => writeNewsCorpus(corpusDir, size));
  options.log(`scale ${size}: corpus written (${corpus.chunks} chunks in ${corpus.files} files), building`);
  const [built, coldMs] = await timed(() => buildIndex({ corpusDir, dataDir, embedder, chunking: DEFAULT_CHUNKING, onProgress: () => {} }));
  const result: ColdBuild = { corpus, generateMs, cold: { chunks: built.chunks, documents: built.documents }, coldMs };
  if (options.workDir) {
    await rm(base, { recursive: true, force: true });
    await cp(corpusDir, join(base, 'corpus'), { recursive: true, preserveTimestamps: true });
    await cp(dataDir, join(base, 'data'), { recursive: true, preserveTimestamps: true });
    await writeFile(marker, JSON.stringify(result));
  }
  return result;
}
