import { NewsdeskError } from '../errors.js';
import { chunkDocuments } from './chunk.js';
import { countSkipped, formatProblem, readCorpus } from './corpus.js';
import type { Embedder } from './embedder.js';
import { openEmbeddingCache } from './embedding-cache.js';
import { FORMAT_VERSION, saveIndex } from './store.js';
import type { Chunk, ChunkOptions, ProgressFn, ReindexSummary } from './types.js';
import { vectorStoreFactory, type VectorStoreFactory } from './vector-store.js';

export interface BuildOptions {
  corpusDir: string;
  dataDir: string;
  embedder: Embedder;
  chunking: ChunkOptions;
  onProgress?: ProgressFn;
  /** Refuse to build (CORPUS_PROBLEMS) when any file or line would be skipped. */
  strict?: boolean;
  /** Where the vectors go; the embedded (hnswlib) store when absent. */
  stores?: VectorStoreFactory;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const EMBED_BATCH = 64;

/** Reads the corpus, chunks it, embeds what the cache lacks, and writes a new build atomically. */
export async function buildIndex(options: BuildOptions): Promise<ReindexSummary> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  const corpus = await readCorpus(options.corpusDir);
  progress({ stage: 'parse', files: corpus.files });
  const skipped = corpus.problems.filter((p) => p.kind !== 'warning');
  if (options.strict && skipped.length > 0) {
    const { files, lines } = countSkipped(skipped);
    throw new NewsdeskError('CORPUS_PROBLEMS', [`${plural(files, 'file')} and ${plural(lines, 'line')} skipped:`, ...skipped.map(formatProblem)].join('\n'));
  }
  if (corpus.documents.length === 0) {
    throw new NewsdeskError('CORPUS_EMPTY', `${options.corpusDir}: ${corpus.files} files, no documents.`);
  }
  const chunks = chunkDocuments(corpus.documents, options.chunking);
  const { vectors, embedded } = await embedChunks(chunks, options, progress);
  const store = await (options.stores ?? (await vectorStoreFactory())).create(options.embedder.dimensions, chunks.length);
  await store.add(chunks.map((chunk, i) => ({ id: chunk.id, vector: vectors[i]! })));
  progress({ stage: 'write' });
  await saveIndex(options.dataDir, {
    manifest: {
      formatVersion: FORMAT_VERSION,
      embedder: { id: options.embedder.id, dimensions: options.embedder.dimensions },
      chunking: options.chunking,
      corpusHash: corpus.hash,
      builtAt: new Date().toISOString(),
      documents: corpus.documents.length,
      chunks: chunks.length,
    },
    documents: corpus.documents,
    chunks,
    vectors: store,
  });
  return {
    documents: corpus.documents.length,
    chunks: chunks.length,
    skipped,
    warnings: corpus.problems.filter((p) => p.kind === 'warning'),
    embedded,
    cached: chunks.length - embedded,
    seconds: (performance.now() - started) / 1000,
    embedderId: options.embedder.id,
  };
}

async function embedChunks(chunks: Chunk[], options: BuildOptions, progress: ProgressFn) {
  const cache = await openEmbeddingCache(options.dataDir, options.embedder.id);
  // Progress counts chunks, like the summary: two identical headlines are embedded once, counted twice.
  const chunksOf = new Map<string, number>();
  for (const chunk of chunks) if (!cache.get(chunk.text)) chunksOf.set(chunk.text, (chunksOf.get(chunk.text) ?? 0) + 1);
  const missing = [...chunksOf.keys()];
  const total = [...chunksOf.values()].reduce((a, b) => a + b, 0);
  let done = 0;
  progress({ stage: 'embed', done, total });
  for (let i = 0; i < missing.length; i += EMBED_BATCH) {
    const batch = missing.slice(i, i + EMBED_BATCH);
    const vectors = await options.embedder.embed(batch);
    batch.forEach((text, j) => cache.set(text, vectors[j]!));
    done += batch.reduce((sum, text) => sum + chunksOf.get(text)!, 0);
    progress({ stage: 'embed', done, total });
  }
  // Every chunk text was read above, so what was not is no longer in the corpus: let compaction drop it.
  await cache.save({ pruneUnused: true });
  return { vectors: chunks.map((c) => cache.get(c.text)!), embedded: total };
}
