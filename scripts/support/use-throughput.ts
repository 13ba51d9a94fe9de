/**
 * The Universal Sentence Encoder's throughput as a cold build sees it: N chunk texts of a synthetic
 * news corpus through the indexer's own embedding loop (`embedMissing`), in-process and on worker
 * threads. Every configuration is loaded first (load time stated apart), warmed up, then measured in
 * interleaved rounds, so that other load on the machine falls on all of them alike.
 */
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

async function measure(embedder: Embedder, threads: number, chunks: Chunk[]): Promise<ThroughputRun> {
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
        `load + warm-up ${(result.loadMs.get(threads)! / 1000).toFixed(1)} s`,
    );
  }
  return lines;
}
