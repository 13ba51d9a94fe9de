import { chunkDocuments } from '../../chunk.js';
import { readCorpus } from '../../corpus.js';
import type { Embedder } from '../../embedder.js';
import { openEmbeddingCache } from '../../embedding-cache.js';
import { checkCorpus, embedMissing } from '../../indexer.js';
import { contentTerms } from '../../terms.js';
import type { ChunkOptions, ProgressFn, ReindexSummary } from '../../types.js';
import { planBuild, writeBuild, type Database } from './builds.js';
import { migrate } from './migrate.js';

export interface PostgresBuildOptions {
  db: Database;
  corpusDir: string;
  /** For the embedding cache (data/cache), shared with the embedded store. */
  dataDir: string;
  embedder: Embedder;
  chunking: ChunkOptions;
  onProgress?: ProgressFn;
  strict?: boolean;
  log?: (line: string) => void;
}

/**
 * Reads the corpus and writes a build to PostgreSQL: only new and changed documents are chunked,
 * embedded (cache first) and written; the rest of the build is the rows already there.
 */
export async function buildPostgresIndex(options: PostgresBuildOptions): Promise<ReindexSummary & { build: string; writtenDocuments: number }> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  await migrate(options.db.pool, options.db.url, options.log);
  const corpus = await readCorpus(options.corpusDir);
  progress({ stage: 'parse', files: corpus.files });
  const skipped = checkCorpus(options, corpus.problems, corpus.documents.length, corpus.files);
  const embedder = { id: options.embedder.id, dimensions: options.embedder.dimensions };
  const plan = await planBuild(options.db, corpus.documents, embedder, options.chunking);
  const allChunks = chunkDocuments(corpus.documents, options.chunking);
  const changedIds = new Set(plan.changed.map((doc) => doc.id));
  const chunks = allChunks.filter((chunk) => changedIds.has(chunk.docId));
  const cache = await openEmbeddingCache(options.dataDir, options.embedder.id);
  const embedded = await embedMissing(cache, chunks, options.embedder, progress);
  // Unchanged documents were not read through the cache, so nothing is pruned here.
  await cache.save();
  const vectors = chunks.map((chunk) => cache.get(chunk.text)!);
  progress({ stage: 'write' });
  const build = await writeBuild(options.db, {
    plan,
    embedder,
    chunking: options.chunking,
    corpusHash: corpus.hash,
    documents: corpus.documents.length,
    chunks: allChunks.length,
    rows: chunks.map((chunk, i) => ({ chunk, terms: contentTerms(chunk.text).join(' '), vector: vectors[i]! })),
  });
  return {
    build,
    writtenDocuments: plan.changed.length,
    documents: corpus.documents.length,
    chunks: allChunks.length,
    skipped,
    warnings: corpus.problems.filter((p) => p.kind === 'warning'),
    embedded,
    cached: allChunks.length - embedded,
    seconds: (performance.now() - started) / 1000,
    embedderId: options.embedder.id,
  };
}
