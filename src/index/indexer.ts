import { NewsdeskError } from '../errors.js';
import { chunkDocuments } from './chunk.js';
import { readCorpus } from './corpus.js';
import type { Embedder } from './embedder.js';
import { openEmbeddingCache } from './embedding-cache.js';
import { FORMAT_VERSION, saveIndex } from './store.js';
import type { Chunk, ChunkOptions, ProgressFn, ReindexSummary } from './types.js';
import { createVectorStore } from './vector-store.js';

export interface BuildOptions {
  corpusDir: string;
  dataDir: string;
  embedder: Embedder;
  chunking: ChunkOptions;
  onProgress?: ProgressFn;
}

const EMBED_BATCH = 64;

/** Reads the corpus, chunks it, embeds what the cache lacks, and writes a new build atomically. */
export async function buildIndex(options: BuildOptions): Promise<ReindexSummary> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  const corpus = await readCorpus(options.corpusDir);
  progress({ stage: 'parse', files: corpus.files });
  if (corpus.documents.length === 0) {
    throw new NewsdeskError('CORPUS_EMPTY', `${options.corpusDir}: ${corpus.files} files, no documents.`);
  }
  const chunks = chunkDocuments(corpus.documents, options.chunking);
  const { vectors, embedded } = await embedChunks(chunks, options, progress);
  const store = createVectorStore(options.embedder.dimensions, chunks.length);
  store.add(vectors);
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
    skipped: corpus.problems,
    embedded,
    cached: chunks.length - embedded,
    seconds: (performance.now() - started) / 1000,
    embedderId: options.embedder.id,
  };
}

async function embedChunks(chunks: Chunk[], options: BuildOptions, progress: ProgressFn) {
  const cache = await openEmbeddingCache(options.dataDir, options.embedder.id);
  const missing = [...new Set(chunks.map((c) => c.text).filter((text) => !cache.get(text)))];
  progress({ stage: 'embed', done: 0, total: missing.length });
  for (let i = 0; i < missing.length; i += EMBED_BATCH) {
    const batch = missing.slice(i, i + EMBED_BATCH);
    const vectors = await options.embedder.embed(batch);
    batch.forEach((text, j) => cache.set(text, vectors[j]!));
    progress({ stage: 'embed', done: Math.min(i + EMBED_BATCH, missing.length), total: missing.length });
  }
  if (missing.length > 0) await cache.save();
  // Counted in chunks, not texts: two outlets' identical headlines are embedded once, counted twice.
  const fresh = new Set(missing);
  return { vectors: chunks.map((c) => cache.get(c.text)!), embedded: chunks.filter((c) => fresh.has(c.text)).length };
}
