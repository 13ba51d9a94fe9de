import { NewsdeskError } from '../../../errors.js';
import { chunkDocuments } from '../../chunk.js';
import { countSkipped, formatProblem, readCorpus } from '../../corpus.js';
import type { Embedder } from '../../embedder.js';
import { openEmbeddingCache } from '../../embedding-cache.js';
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

const EMBED_BATCH = 64;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

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
  const skipped = corpus.problems.filter((p) => p.kind !== 'warning');
  if (options.strict && skipped.length > 0) {
    const { files, lines } = countSkipped(skipped);
    throw new NewsdeskError('CORPUS_PROBLEMS', [`${plural(files, 'file')} and ${plural(lines, 'line')} skipped:`, ...skipped.map(formatProblem)].join('\n'));
  }
  if (corpus.documents.length === 0) throw new NewsdeskError('CORPUS_EMPTY', `${options.corpusDir}: ${corpus.files} files, no documents.`);
  const embedder = { id: options.embedder.id, dimensions: options.embedder.dimensions };
  const plan = await planBuild(options.db, corpus.documents, embedder, options.chunking);
  const allChunks = chunkDocuments(corpus.documents, options.chunking);
  const changedIds = new Set(plan.changed.map((doc) => doc.id));
  const chunks = allChunks.filter((chunk) => changedIds.has(chunk.docId));
  const { vectors, embedded } = await embed(chunks.map((c) => c.text), options, progress);
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

async function embed(texts: string[], options: PostgresBuildOptions, progress: ProgressFn) {
  const cache = await openEmbeddingCache(options.dataDir, options.embedder.id);
  // Progress counts chunks, as the embedded indexer's does: a text two chunks share is embedded once.
  const chunksOf = new Map<string, number>();
  for (const text of texts) if (!cache.get(text)) chunksOf.set(text, (chunksOf.get(text) ?? 0) + 1);
  const missing = [...chunksOf.keys()];
  const total = texts.filter((text) => chunksOf.has(text)).length;
  let done = 0;
  progress({ stage: 'embed', done, total });
  for (let i = 0; i < missing.length; i += EMBED_BATCH) {
    const batch = missing.slice(i, i + EMBED_BATCH);
    const vectors = await options.embedder.embed(batch);
    batch.forEach((text, j) => cache.set(text, vectors[j]!));
    done += batch.reduce((sum, text) => sum + chunksOf.get(text)!, 0);
    progress({ stage: 'embed', done, total });
  }
  // Unchanged documents were not read through the cache, so nothing is pruned here.
  await cache.save();
  return { vectors: texts.map((text) => cache.get(text)!), embedded: total };
}
