/**
 * The Universal Sentence Encoder's throughput as a cold build sees it: N chunk texts of a synthetic
 * news corpus through the indexer's own embedding loop (`embedMissing`), in-process and on worker
 * threads. Every configuration is loaded first (load time stated apart), warmed up, then measured in
 * interleaved rounds, so that other load on the machine falls on all of them alike.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEFAULT_CHUNKING, chunkDocuments } from '../../src/index/chunk.js';
import { readCorpus } from '../../src/index/corpus.js';
import { createEmbedder, type Embedder } from '../../src/index/embedder.js';
import type { EmbeddingCache } from '../../src/index/embedding-cache.js';
import { embedMissing } from '../../src/index/indexer.js';
import type { Chunk } from '../../src/index/types.js';
import { writeNewsCorpus } from './news-corpus.js';

export interface ThroughputRun {
  threads: number;
  chunksPerSecond: number;
  /** Process CPU time (every thread) over wall time. */
  cores: number;
  /** Share of the wall time the main thread's event loop was busy. */
  mainBusy: number;
  /**
   * Threads of the process wanting a core (running or runnable, Linux /proc), on average: the
   * workers plus V8's helper threads (GC, compiling). Unlike chunks/s, the machine's other load
   * does not lower it: a thread waiting for a core counts. Null in-process and off Linux.
   */
  runnable: number | null;
}

export interface UseThroughput {
  chunks: number;
  loadMs: Map<number, number>;
  runs: ThroughputRun[];
  loadBefore: number[];
  loadAfter: number[];
}

/** A cache that holds nothing: every chunk is embedded, as in a cold build. */
function emptyCache(): EmbeddingCache {
  return { get: () => undefined, set: () => {}, save: async () => {} };
}

/** `count` distinct chunks of a synthetic news corpus (the corpus `--scale` builds). */
export async function syntheticChunks(count: number): Promise<Chunk[]> {
  const dir = await mkdtemp(join(tmpdir(), 'newsdesk-use-'));
  try {
    const corpus = await writeNewsCorpus(join(dir, 'corpus'), Math.ceil(count * 1.2));
    const { documents } = await readCorpus(corpus.dir);
    const seen = new Set<string>();
    const chunks = chunkDocuments(documents, DEFAULT_CHUNKING).filter((c) => !seen.has(c.text) && seen.add(c.text));
    return chunks.slice(0, count);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The state letter of each of this process's threads (R: running or runnable), or null off Linux. */
function threadStates(): string[] | null {
  try {
    return readdirSync('/proc/self/task').map((tid) => {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      return stat.charAt(stat.lastIndexOf(')') + 2);
    });
  } catch {
    return null;
  }
}

/** Samples how many threads want a core every 100 ms (often enough, ~1% of the main thread) until stopped; the mean. */
function sampleRunnable(): () => number | null {
  let samples = 0;
  let runnable = 0;
  const timer = setInterval(() => {
    const states = threadStates();
    if (!states) return;
    samples++;
    // The sampling thread itself is running while it reads: not counted.
    runnable += states.filter((s) => s === 'R').length - 1;
  }, 100);
  return () => {
    clearInterval(timer);
    return samples > 0 ? runnable / samples : null;
  };
}

async function measure(embedder: Embedder, threads: number, chunks: Chunk[]): Promise<ThroughputRun> {
  // In-process, the sampling timer could only fire between batches, when the main thread is not embedding.
  const stopSampling = threads > 0 ? sampleRunnable() : () => null;
  const cpu = process.cpuUsage();
  const loop = performance.eventLoopUtilization();
  const start = performance.now();
  await embedMissing(emptyCache(), chunks, embedder, () => {});
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return {
    threads,
    chunksPerSecond: (chunks.length / wall) * 1000,
    cores: (used.user + used.system) / 1000 / wall,
    mainBusy: performance.eventLoopUtilization(loop).utilization,
    runnable: stopSampling(),
  };
}

/** Loads USE with each thread count (0: in-process), then measures them `rounds` times, interleaved. */
export async function measureUseThroughput(count: number, threadCounts: number[], rounds: number): Promise<UseThroughput> {
  const chunks = await syntheticChunks(count);
  const embedders = new Map<number, Embedder>();
  const loadMs = new Map<number, number>();
  const loadBefore = loadavg();
  try {
    for (const threads of threadCounts) {
      const start = performance.now();
      const embedder = await createEmbedder({ kind: 'use', model: '', modelsDir: '', allowRemote: false, quantized: false, log: () => {}, threads });
      // Warm-up: tfjs compiles and allocates on the first calls (and a pool's every thread must run one).
      await Promise.all(Array.from({ length: Math.max(1, threads) * 2 }, (_, i) => embedder.embed(chunks.slice(i * 16, i * 16 + 64).map((c) => c.text))));
      loadMs.set(threads, performance.now() - start);
      embedders.set(threads, embedder);
    }
    const runs: ThroughputRun[] = [];
    for (let round = 0; round < rounds; round++) {
      // Rotate the order so that no configuration always runs first (or right after a heavy one).
      const order = threadCounts.map((_, i) => threadCounts[(i + round) % threadCounts.length]!);
      for (const threads of order) runs.push(await measure(embedders.get(threads)!, threads, chunks));
    }
    return { chunks: chunks.length, loadMs, runs, loadBefore, loadAfter: loadavg() };
  } finally {
    await Promise.all([...embedders.values()].map((e) => e.close?.()));
  }
}

function runnableText(runs: ThroughputRun[]): string {
  const known = runs.flatMap((r) => (r.runnable === null ? [] : [r.runnable]));
  return known.length > 0 ? median(known).toFixed(2) : 'n/a';
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)]!;

/** The table the bench prints: per thread count, the median and range of the rounds. */
export function formatUseThroughput(result: UseThroughput): string[] {
  const threadCounts = [...result.loadMs.keys()];
  const base = median(result.runs.filter((r) => r.threads === 0).map((r) => r.chunksPerSecond));
  const lines = [
    `USE throughput: ${result.chunks} distinct synthetic chunks through the indexer's embedding loop, ${result.runs.length / threadCounts.length} interleaved round(s)`,
    `load average: ${result.loadBefore.map((x) => x.toFixed(2)).join(' ')} before, ${result.loadAfter.map((x) => x.toFixed(2)).join(' ')} after`,
  ];
  for (const threads of threadCounts) {
    const runs = result.runs.filter((r) => r.threads === threads);
    const rates = runs.map((r) => r.chunksPerSecond);
    const label = threads === 0 ? 'in-process      ' : `${threads} worker thread${threads > 1 ? 's' : ' '} `;
    const speedup = Number.isFinite(base) ? ` (${(median(rates) / base).toFixed(2)}x in-process)` : '';
    lines.push(
      `  ${label} ${median(rates).toFixed(1)} chunks/s${speedup}, rounds ${rates.map((x) => x.toFixed(1)).join(' / ')}; ` +
        `${median(runs.map((r) => r.cores)).toFixed(2)} cores used, ${median(runs.map((r) => r.chunksPerSecond / r.cores)).toFixed(1)} chunks per CPU-second, main thread busy ${(median(runs.map((r) => r.mainBusy)) * 100).toFixed(0)}%; ` +
        `threads wanting a core ${runnableText(runs)}; load + warm-up ${(result.loadMs.get(threads)! / 1000).toFixed(1)} s`,
    );
  }
  return lines;
}
