/**
 * Child process of `npm run bench -- --store postgres`: opens one engine as a bot process does,
 * asks it one question (which loads WordNet and the places list), and prints its memory after gc
 * as one JSON line. A child, because the bench's own process also runs PGlite and both builds.
 * With a database, it then builds the in-process BM25 index a database snapshot no longer builds,
 * over the same chunks, and reports what that adds.
 */
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import type { EmbedderOptions } from '../../src/index/embedder.js';
import { openEngine } from '../../src/index/engine.js';
import { buildLexicalIndex } from '../../src/index/lexical.js';
import { openPostgresIndex } from '../../src/index/stores/postgres/index.js';

export interface MemoryJob {
  corpusDir: string;
  dataDir: string;
  /** Without `log`, which a command line cannot carry. */
  embedder: Omit<EmbedderOptions, 'log'>;
  databaseUrl?: string;
  question: string;
}

export interface MemoryResult {
  rssMiB: number;
  heapMiB: number;
  /** Heap and RSS that an in-process BM25 index over the build's chunks adds (databases only). */
  bm25?: { heapMiB: number; rssMiB: number };
}

const log = () => {};
const MiB = 2 ** 20;

function settled(): NodeJS.MemoryUsage {
  (globalThis as { gc?: () => void }).gc?.();
  return process.memoryUsage();
}

async function bm25Cost(url: string): Promise<MemoryResult['bm25']> {
  const database = await openPostgresIndex({ url, log });
  try {
    const stored = await database.load();
    const docById = new Map(stored.documents.map((doc) => [doc.id, doc]));
    const before = settled();
    const index = buildLexicalIndex(stored.chunks, docById);
    const after = settled();
    index.idf('');
    return { heapMiB: (after.heapUsed - before.heapUsed) / MiB, rssMiB: (after.rss - before.rss) / MiB };
  } finally {
    await database.close();
  }
}

async function main(job: MemoryJob): Promise<MemoryResult> {
  const { corpusDir, dataDir, embedder } = job;
  const engine = await openEngine({ corpusDir, dataDir, embedder: { ...embedder, log }, chunking: DEFAULT_CHUNKING, log, ...(job.databaseUrl && { postgres: { url: job.databaseUrl } }) });
  try {
    await engine.ask(job.question);
    // Steady state: the HNSW graph is read after the engine opens.
    await engine.indexed?.();
    const memory = settled();
    return {
      rssMiB: memory.rss / MiB,
      heapMiB: memory.heapUsed / MiB,
      ...(job.databaseUrl && { bm25: await bm25Cost(job.databaseUrl) }),
    };
  } finally {
    await engine.close();
  }
}

process.stdout.write(`${JSON.stringify(await main(JSON.parse(process.argv[2]!) as MemoryJob))}\n`);
