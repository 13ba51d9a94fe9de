import { randomBytes } from 'node:crypto';
import { NewsdeskError } from '../errors.js';
import { splitDocument } from './chunk.js';
import { countSkipped, dedupeIds, formatProblem, scanCorpus, type ScannedFile } from './corpus.js';
import type { Embedder } from './embedder.js';
import { openEmbeddingCache, type EmbeddingCache } from './embedding-cache.js';
import { readPreviousBuild, unchangedHash, writeFileRecords, type FileRecord, type PreviousBuild } from './previous-build.js';
import { SEGMENT_FILES, segmentRuns, type SegmentPlan } from './segments.js';
import { FORMAT_VERSION, saveIndex } from './store.js';
import { addChunk, addDocument, emptyTermData, readTermData, removeChunk, removeDocument, saveTermData, type TermData } from './term-data.js';
import type { Chunk, ChunkOptions, Document, ParseProblem, ProgressFn, ReindexSummary } from './types.js';
import { vectorStoreFactory, type VectorItem, type VectorStoreFactory } from './vector-store.js';

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
  /** Ignore the previous build: re-read and re-chunk every file, and build a new vector index from cached vectors. */
  full?: boolean;
  /** Files per segment on average (segments.ts); tests lower it to see several segments in a small corpus. */
  segmentFiles?: number;
}

/**
 * Removed chunks stay in the HNSW graph as deleted labels (markDelete), which still cost search
 * time and memory. Past this share of all labels, a build lays the graph out again from the
 * cached vectors instead of updating it in place.
 */
export const REBUILD_DELETED_SHARE = 0.2;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const EMBED_BATCH = 64;

/**
 * Reads the corpus and writes a new build atomically. With a usable previous build (same
 * embedder, chunking and format) only the files whose content changed are parsed and chunked,
 * and the previous vector index and BM25 index are updated in place: the chunks of changed and
 * removed files go, the new ones are added with vectors from the embedding cache.
 */
export async function buildIndex(options: BuildOptions): Promise<ReindexSummary> {
  const started = performance.now();
  const progress = options.onProgress ?? (() => {});
  const previous = options.full ? null : await readPreviousBuild(options.dataDir, options.embedder, options.chunking);
  const { corpus, corpusHash, skipped, scannedAt } = await readChangedCorpus(options, previous, progress);
  const stores = options.stores ?? (await vectorStoreFactory());
  const change = previous ? diff(previous, corpus) : null;
  const dimensions = options.embedder.dimensions;
  // The previous indexes load on the thread pool (hnswlib) and the main thread (the BM25 index) at once.
  // A previous build that cannot be updated (damaged files) is only slower: start from scratch.
  const inPlace = previous !== null && change !== null && !pastDeletedShare(previous, change);
  const [cacheOfAdded, reused, terms] = await Promise.all([
    openEmbeddingCache(options.dataDir, options.embedder.id, inPlace ? { only: change!.added.map((c) => c.text) } : {}),
    inPlace ? stores.load(previous!.dir, dimensions, { purpose: 'update' }).catch(() => null) : null,
    previous && change ? updatedTerms(previous, change).catch(() => freshTerms(corpus)) : freshTerms(corpus),
  ]);
  const cache = inPlace && !reused ? await openEmbeddingCache(options.dataDir, options.embedder.id) : cacheOfAdded;
  const toStore = reused ? change!.added : corpus.chunks;
  const embedded = await embedMissing(cache, toStore, options.embedder, progress);
  const items: VectorItem[] = toStore.map((chunk) => ({ id: chunk.id, vector: cache.get(chunk.text)! }));
  // A full pass read every chunk's vector, so what was not read is no longer in the corpus: let compaction drop it.
  await cache.save({ pruneUnused: !reused });
  const store = reused ?? (await stores.create(dimensions, corpus.chunks.length));
  if (reused) await store.remove(change!.removed.map((c) => c.id));
  await store.add(items);
  progress({ stage: 'write' });
  const manifest = {
    formatVersion: FORMAT_VERSION,
    embedder: { id: options.embedder.id, dimensions },
    chunking: options.chunking,
    corpusHash,
    builtAt: new Date().toISOString(),
    documents: corpus.documents.length,
    chunks: corpus.chunks.length,
  };
  const deletedVectors = reused ? previous!.deletedVectors + change!.removed.length : 0;
  const segments = planSegments(corpus, previous, options.segmentFiles ?? SEGMENT_FILES);
  await saveIndex(options.dataDir, { manifest, segments, vectors: store }, async (dir) => {
    await saveTermData(dir, terms, corpus.chunks, corpus.documents);
    await writeFileRecords(dir, { files: corpus.records, deletedVectors, scannedAt });
  });
  return {
    documents: corpus.documents.length,
    chunks: corpus.chunks.length,
    skipped,
    warnings: corpus.problems.filter((p) => p.kind === 'warning'),
    embedded,
    cached: corpus.chunks.length - embedded,
    seconds: (performance.now() - started) / 1000,
    embedderId: options.embedder.id,
    update: {
      mode: reused ? 'in-place' : previous ? 'rebuilt' : 'full',
      filesRead: corpus.filesRead,
      files: corpus.records.length,
      chunksAdded: change ? change.added.length : corpus.chunks.length,
      chunksRemoved: change ? change.removed.length : 0,
    },
  };
}

/** Whether removing the change's chunks would leave more than REBUILD_DELETED_SHARE of the graph's labels deleted. */
function pastDeletedShare(previous: PreviousBuild, change: Change): boolean {
  const deleted = previous.deletedVectors + change.removed.length;
  const labels = previous.manifest.chunks + previous.deletedVectors + change.added.length;
  return deleted / labels > REBUILD_DELETED_SHARE;
}

/** Scans the corpus, parsing only what the previous build lacks, and applies --strict and the empty check. */
async function readChangedCorpus(options: BuildOptions, previous: PreviousBuild | null, progress: ProgressFn) {
  const scannedAt = Date.now();
  const scan = await scanCorpus(options.corpusDir, {
    has: (name, hash) => previous?.files.get(name)?.record.hash === hash,
    hashOf: (name, stat) => unchangedHash(previous, name, stat),
  });
  progress({ stage: 'parse', files: scan.files.length });
  const corpus = assemble(scan.files, previous, options.chunking);
  const skipped = checkCorpus(options, corpus.problems, corpus.documents.length, scan.files.length);
  return { corpus, corpusHash: scan.hash, skipped, scannedAt };
}

/**
 * The problems that skip a file or line, after --strict (CORPUS_PROBLEMS when there are any) and
 * the empty check (CORPUS_EMPTY): every store's build reads the corpus through this.
 */
export function checkCorpus(options: { corpusDir: string; strict?: boolean }, problems: ParseProblem[], documents: number, files: number): ParseProblem[] {
  const skipped = problems.filter((p) => p.kind !== 'warning');
  if (options.strict && skipped.length > 0) {
    const counted = countSkipped(skipped);
    throw new NewsdeskError('CORPUS_PROBLEMS', [`${plural(counted.files, 'file')} and ${plural(counted.lines, 'line')} skipped:`, ...skipped.map(formatProblem)].join('\n'));
  }
  if (documents === 0) throw new NewsdeskError('CORPUS_EMPTY', `${options.corpusDir}: ${files} files, no documents.`);
  return skipped;
}

interface Assembled {
  documents: Document[];
  chunks: Chunk[];
  problems: ParseProblem[];
  records: FileRecord[];
  /** Files parsed and chunked by this build (new or changed). */
  filesRead: number;
  /** Names of the files whose documents were parsed anew. */
  changed: Set<string>;
  /** How many chunks each document has, by position in `documents`. */
  chunkCounts: Uint32Array;
  /** Chunks made by this build (parsed anew, or a kept document's under its new id), in corpus order. */
  fresh: Chunk[];
  /** Ids of the previous build's documents whose chunks this build holds as they were. */
  reused: Set<string>;
}

/**
 * The corpus in file order, as a build from scratch would see it: the documents of unchanged files
 * and their chunks come from the previous build, the others are parsed and chunked now. Ids are
 * assigned afterwards, over the whole corpus, exactly as a full build assigns them.
 */
function assemble(files: ScannedFile[], previous: PreviousBuild | null, chunking: ChunkOptions): Assembled {
  const found: Array<{ doc: Document; chunks: Chunk[] | null; previousId?: string }> = [];
  const problems: ParseProblem[] = [];
  const records: FileRecord[] = [];
  const changed = new Set<string>();
  for (const file of files) {
    if (file.parsed) {
      changed.add(file.name);
      records.push({ name: file.name, hash: file.hash, stat: file.stat, documents: file.parsed.documents.length, problems: file.parsed.problems });
      for (const doc of file.parsed.documents) found.push({ doc, chunks: null });
      for (const problem of file.parsed.problems) problems.push(problem);
      continue;
    }
    const known = previous!.files.get(file.name)!;
    records.push({ ...known.record, stat: file.stat });
    for (const problem of known.record.problems) problems.push(problem);
    for (const doc of known.documents) found.push({ doc: { ...doc, id: parsedId(doc.id) }, chunks: previous!.chunksOf.get(doc.id) ?? [], previousId: doc.id });
  }
  const documents = dedupeIds(found.map((f) => f.doc));
  const chunks: Chunk[] = [];
  const fresh: Chunk[] = [];
  const reused = new Set<string>();
  const chunkCounts = new Uint32Array(documents.length);
  documents.forEach((doc, i) => {
    const { chunks: kept, previousId } = found[i]!;
    if (!kept) {
      const split = splitDocument(doc, chunking);
      // Saved with the build, so that quoting never splits these sentences again.
      if (doc.kind === 'article') doc.sentences = split.sentences;
      for (const chunk of split.chunks) chunks.push(chunk), fresh.push(chunk);
      chunkCounts[i] = split.chunks.length;
    } else if (previousId === doc.id) {
      reused.add(previousId);
      for (const chunk of kept) chunks.push(chunk);
      chunkCounts[i] = kept.length;
    } else {
      // A repeated story's `-2` suffix moved: the same chunks under the document's new id.
      kept.forEach((chunk, n) => {
        const moved = { ...chunk, id: `${doc.id}#${n}`, docId: doc.id };
        chunks.push(moved);
        fresh.push(moved);
      });
      chunkCounts[i] = kept.length;
    }
  });
  return { documents, chunks, problems, records, filesRead: changed.size, changed, chunkCounts, fresh, reused };
}

/**
 * The new build's segments: a run of files whose segment the previous build holds unchanged (same
 * files, none re-read, the same document ids) is linked from it; every other run is written.
 */
function planSegments(corpus: Assembled, previous: PreviousBuild | null, every: number): SegmentPlan[] {
  const names = corpus.records.map((r) => r.name);
  const plans: SegmentPlan[] = [];
  let doc = 0;
  let chunk = 0;
  let file = 0;
  for (const [first, end] of segmentRuns(names, every)) {
    let docEnd = doc;
    for (; file < end; file++) docEnd += corpus.records[file]!.documents;
    let chunkEnd = chunk;
    for (let d = doc; d < docEnd; d++) chunkEnd += corpus.chunkCounts[d]!;
    const files = names.slice(first, end);
    const documents = corpus.documents.slice(doc, docEnd);
    const kept = previous?.segments.get(names[first]!);
    const same =
      kept !== undefined &&
      kept.chunks === chunkEnd - chunk &&
      kept.files.length === files.length &&
      kept.files.every((name, i) => name === files[i] && !corpus.changed.has(name)) &&
      kept.documents.length === documents.length &&
      kept.documents.every((d, i) => d.id === documents[i]!.id);
    const counts = { documents: documents.length, chunks: chunkEnd - chunk };
    if (same) plans.push({ name: kept.name, ...counts, linkFrom: previous!.dir });
    else plans.push({ name: `segment-${randomBytes(6).toString('hex')}.bin`, ...counts, write: { files, documents, chunks: corpus.chunks.slice(chunk, chunkEnd) } });
    doc = docEnd;
    chunk = chunkEnd;
  }
  return plans;
}

/** The id a reader gave the document, before dedupeIds suffixed a repeated one (`-2`, `-3`…). */
const parsedId = (id: string) => id.replace(/-\d+$/, '');

interface Change {
  /** Previous chunks (as stored then) whose id is gone or now holds other text. */
  removed: Chunk[];
  /** Chunks whose id is new or holds other text. */
  added: Chunk[];
  /** Previous documents of the files that changed or went. */
  removedDocuments: Document[];
  addedDocuments: Document[];
  previousDoc: Map<string, Document>;
  docById: Map<string, Document>;
}

/** What the BM25 index sees of a chunk: a change in either means remove and add again. */
function indexedAs(chunk: Chunk, doc: Document | undefined): string {
  return `${chunk.text}\u0000${doc?.kind === 'article' ? doc.title : ''}`;
}

function diff(previous: PreviousBuild, corpus: Assembled): Change {
  // Chunks of unchanged files are the previous build's own objects: only the others are compared,
  // stale ones in the previous build's order (removals update BM25's running means in order).
  const previousDoc = new Map<string, Document>();
  const stale: Chunk[] = [];
  for (const doc of previous.documents) {
    if (corpus.reused.has(doc.id)) continue;
    previousDoc.set(doc.id, doc);
    for (const chunk of previous.chunksOf.get(doc.id) ?? []) stale.push(chunk);
  }
  const fresh = corpus.fresh;
  const docById = new Map<string, Document>();
  for (const doc of corpus.documents) if (!corpus.reused.has(doc.id)) docById.set(doc.id, doc);
  const before = new Map(stale.map((chunk) => [chunk.id, indexedAs(chunk, previousDoc.get(chunk.docId))]));
  const now = new Map(fresh.map((chunk) => [chunk.id, indexedAs(chunk, docById.get(chunk.docId))]));
  const removed = stale.filter((chunk) => now.get(chunk.id) !== before.get(chunk.id));
  const added = fresh.filter((chunk) => before.get(chunk.id) !== now.get(chunk.id));
  const names = new Set(corpus.records.map((r) => r.name));
  return {
    removed,
    added,
    removedDocuments: previous.documents.filter((doc) => corpus.changed.has(doc.file) || !names.has(doc.file)),
    addedDocuments: corpus.documents.filter((doc) => corpus.changed.has(doc.file)),
    previousDoc,
    docById,
  };
}

/** The previous build's term data with the change applied. */
async function updatedTerms(previous: PreviousBuild, change: Change): Promise<TermData> {
  const terms = await readTermData(previous.dir, previous.chunks);
  for (const chunk of change.removed) removeChunk(terms, chunk, change.previousDoc.get(chunk.docId));
  for (const chunk of change.added) addChunk(terms, chunk, change.docById.get(chunk.docId));
  for (const doc of change.removedDocuments) removeDocument(terms, doc);
  for (const doc of change.addedDocuments) addDocument(terms, doc);
  return terms;
}

async function freshTerms(corpus: Assembled): Promise<TermData> {
  const terms = emptyTermData();
  const docById = new Map(corpus.documents.map((doc) => [doc.id, doc]));
  for (const chunk of corpus.chunks) addChunk(terms, chunk, docById.get(chunk.docId));
  for (const doc of corpus.documents) addDocument(terms, doc);
  return terms;
}

/**
 * Embeds the chunk texts the cache lacks into it; returns how many chunks that was. Texts go
 * shortest first, so a batch's texts pad to about the same length (less wasted model work, and
 * evenly sized tasks for worker threads); an embedder on threads gets two batches per thread in
 * flight, so no thread idles while the main thread stores a batch or waits for a slower one.
 */
export async function embedMissing(cache: EmbeddingCache, chunks: Chunk[], embedder: Embedder, progress: ProgressFn): Promise<number> {
  // Progress counts chunks, like the summary: two identical headlines are embedded once, counted twice.
  const chunksOf = new Map<string, number>();
  for (const chunk of chunks) if (!cache.get(chunk.text)) chunksOf.set(chunk.text, (chunksOf.get(chunk.text) ?? 0) + 1);
  const missing = [...chunksOf.keys()].sort((a, b) => a.length - b.length);
  let total = 0;
  for (const count of chunksOf.values()) total += count;
  let done = 0;
  progress({ stage: 'embed', done, total });
  const embedBatch = async (batch: string[]) => {
    const vectors = await embedder.embed(batch);
    batch.forEach((text, j) => cache.set(text, vectors[j]!));
    done += batch.reduce((sum, text) => sum + chunksOf.get(text)!, 0);
    progress({ stage: 'embed', done, total });
  };
  const batches = Array.from({ length: Math.ceil(missing.length / EMBED_BATCH) }, (_, i) => missing.slice(i * EMBED_BATCH, (i + 1) * EMBED_BATCH));
  await inFlight(batches, embedder.threads ? embedder.threads * 2 : 1, embedBatch);
  return total;
}

/** Runs `work` on the items, at most `lanes` at once; after a failure starts no more, and throws it once all have settled. */
async function inFlight<T>(items: T[], lanes: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const lane = async () => {
    try {
      while (!failed && next < items.length) await work(items[next++]!);
    } catch (error) {
      failed = true;
      throw error;
    }
  };
  const results = await Promise.allSettled(Array.from({ length: Math.min(lanes, items.length) }, lane));
  const rejected = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (rejected) throw rejected.reason;
}
