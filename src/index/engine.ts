import { NewsdeskError, isNewsdeskError } from '../errors.js';
import { hasWords, stripInvisible } from './clean-text.js';
import { composeAnswer } from './compose.js';
import { createEmbedder, createEmbedderById, type Embedder, type EmbedderOptions } from './embedder.js';
import { coverageAnswer, detectCoverageQuestion } from './coverage.js';
import { buildIndex } from './indexer.js';
import { indexPlaces } from './expand.js';
import { explainRetrieval } from './explain.js';
import { matchingPassages } from './matching.js';
import { nearestPassages, storedPassage } from './nearest.js';
import { buildTimeline, timelineTopic } from './timeline.js';
import { worldPlaces } from './places.js';
import { openWordNet } from './wordnet.js';
import { matchesDate, parseQuery } from './query.js';
import { DEFAULT_SETTINGS, retrieve, type RetrievalSettings, type Snapshot } from './retriever.js';
import { currentBuild, loadIndex, otherBuilds } from './store.js';
import { vectorStoreFactory, type StoreKind, type VectorStoreFactory } from './vector-store.js';
import type { AskOptions, ChunkOptions, CorpusInfo, Document, Engine, HeadlineQuery, ProgressFn, ReindexSummary } from './types.js';

export interface EngineOptions {
  corpusDir: string;
  dataDir: string;
  embedder: EmbedderOptions;
  chunking: ChunkOptions;
  settings?: RetrievalSettings;
  log: (line: string) => void;
  /** Build the index when there is none yet (with progress), instead of failing with INDEX_MISSING. */
  buildIfMissing?: boolean;
  onProgress?: ProgressFn;
  /** Which vector store holds the index; the embedded (hnswlib) one when absent. */
  store?: StoreKind;
}

export const MAX_QUESTION_CHARS = 500;
export const DEFAULT_K = 3;
const MAX_K = 10;

function answerK(options: AskOptions): number {
  return Math.min(Math.max(1, Math.floor(options.k ?? DEFAULT_K)), MAX_K);
}

/**
 * The question, trimmed and without invisible characters, or QUESTION_EMPTY / QUESTION_NO_WORDS /
 * QUESTION_TOO_LONG. The one check every entry point (console, `ask`, bot) goes through, so that
 * "???" or an emoji never reaches the embedder.
 */
export function validateQuestion(question: string): string {
  if (!question.trim()) throw new NewsdeskError('QUESTION_EMPTY');
  const text = stripInvisible(question).trim();
  if (!hasWords(text)) throw new NewsdeskError('QUESTION_NO_WORDS');
  if (text.length > MAX_QUESTION_CHARS) {
    throw new NewsdeskError('QUESTION_TOO_LONG', `It has ${text.length} characters; the limit is ${MAX_QUESTION_CHARS}.`);
  }
  return text;
}

/**
 * The embedder that built the index answers its queries. An explicit EMBEDDER that disagrees with
 * the index is a mismatch to re-index, not something to paper over.
 */
async function embedderFor(indexId: string, options: EmbedderOptions, current?: Embedder): Promise<Embedder> {
  if (current?.id === indexId) return current;
  const kind = indexId.split(':')[0];
  if (options.kind !== 'auto' && options.kind !== kind) {
    throw new NewsdeskError('INDEX_MISMATCH', `The index was built with ${indexId}, but EMBEDDER=${options.kind}.`);
  }
  const embedder = await createEmbedderById(indexId, options);
  if (embedder.id !== indexId) {
    throw new NewsdeskError('INDEX_MISMATCH', `The index was built with ${indexId}; this machine has ${embedder.id}.`);
  }
  return embedder;
}

/** Loads the live index (or `build`) and the embedder that built it. */
export async function loadSnapshot(
  dataDir: string,
  options: EmbedderOptions,
  current?: Embedder,
  build?: string,
  stores?: VectorStoreFactory,
): Promise<Snapshot> {
  const stored = await loadIndex(dataDir, build, stores);
  const embedder = await embedderFor(stored.manifest.embedder.id, options, current);
  if (embedder.dimensions !== stored.manifest.embedder.dimensions) {
    throw new NewsdeskError('INDEX_MISMATCH', `The index has ${stored.manifest.embedder.dimensions} dimensions; ${embedder.id} has ${embedder.dimensions}.`);
  }
  const docById = new Map(stored.documents.map((doc) => [doc.id, doc]));
  const labelOf = new Map(stored.chunks.map((chunk, label) => [chunk.id, label]));
  // The lexical index, chunk terms, casing, vocabulary and outlets come saved with the build (loadIndex).
  return { ...stored, docById, labelOf, embedder, lexicons: sharedLexicons() };
}

let lexicons: Snapshot['lexicons'] | null = null;

/** WordNet and the countries, shared by every snapshot of the process: both are read-only. */
function sharedLexicons(): Snapshot['lexicons'] {
  lexicons ??= { wordnet: openWordNet(), places: indexPlaces(worldPlaces()) };
  return lexicons;
}

export async function openEngine(options: EngineOptions): Promise<Engine> {
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const stores = await vectorStoreFactory(options.store);
  let snapshot = await loadOrBuild(options, stores);
  let reindexing: Promise<ReindexSummary> | null = null;

  const reload = async (): Promise<boolean> => {
    const build = await currentBuild(options.dataDir);
    if (!build || build === snapshot.build) return false;
    snapshot = await loadSnapshot(options.dataDir, options.embedder, snapshot.embedder, undefined, stores);
    options.log(`index: loaded build ${snapshot.build} (${snapshot.manifest.chunks} chunks)`);
    return true;
  };

  const runReindex = async (onProgress?: ProgressFn): Promise<ReindexSummary> => {
    const embedder = await createEmbedder(options.embedder);
    try {
      const summary = await buildIndex({ ...options, embedder, stores, ...(onProgress && { onProgress }) });
      await reload();
      return summary;
    } finally {
      // The snapshot keeps its own query embedder; this one's threads go.
      if (embedder !== snapshot.embedder) await embedder.close?.();
    }
  };

  // ask and explain read a question the same way: same k, mode and history.
  const retrieveAsked = (current: Snapshot, text: string, askOptions: AskOptions) => {
    const history = (askOptions.history ?? []).map((q) => q.trim()).filter(Boolean);
    return retrieve(current, text, answerK(askOptions), settings, askOptions.mode ?? 'hybrid', history);
  };

  return {
    async ask(question: string, askOptions: AskOptions = {}) {
      const text = validateQuestion(question);
      const current = snapshot;
      const k = answerK(askOptions);
      const asked = detectCoverageQuestion(text);
      if (asked) return coverageAnswer(text, asked, await matchingPassages(current, asked.topic, { only: asked.only }, settings), k);
      const found = await retrieveAsked(current, text, askOptions);
      const idf = (term: string) => current.lexical.idf(term);
      const answer = composeAnswer(text, found.answered, found.hits, found.more, found.queryTerms, idf);
      return answer.answered && found.unmatched ? { ...answer, unmatched: found.unmatched } : answer;
    },
    async explain(question: string, askOptions: AskOptions = {}) {
      const text = validateQuestion(question);
      const current = snapshot;
      return explainRetrieval(current, text, await retrieveAsked(current, text, askOptions));
    },
    // For `npm run report` only: the candidates whatever the refusal, and stored chunk ids quoted again.
    async nearest(question: string, k = DEFAULT_K) {
      const current = snapshot;
      return nearestPassages(current, await retrieveAsked(current, validateQuestion(question), { k }));
    },
    passage: (chunkId, question, score) => storedPassage(snapshot, chunkId, question, score),
    headlines: (filter) => findHeadlines(snapshot, filter, settings),
    async timeline(query) {
      const topic = timelineTopic(validateQuestion(query.topic));
      return buildTimeline(topic, await matchingPassages(snapshot, topic, query, settings));
    },
    document: (id) => snapshot.docById.get(id),
    outlets: () => snapshot.outlets,
    about: () => describe(snapshot),
    reindex(onProgress) {
      if (reindexing) return Promise.reject(new NewsdeskError('REINDEX_BUSY'));
      reindexing = runReindex(onProgress).finally(() => {
        reindexing = null;
      });
      return reindexing;
    },
    reload,
    async close() {
      await reindexing?.catch(() => {});
      await snapshot.embedder.close?.();
    },
  };
}

async function loadOrBuild(options: EngineOptions, stores: VectorStoreFactory): Promise<Snapshot> {
  try {
    return await loadSnapshot(options.dataDir, options.embedder, undefined, undefined, stores);
  } catch (error) {
    if (isNewsdeskError(error, 'INDEX_CORRUPT')) return loadPrevious(options, stores, error);
    if (!options.buildIfMissing || !isNewsdeskError(error, 'INDEX_MISSING')) throw error;
  }
  options.log('index: none yet, building it from the corpus (this happens once)');
  const embedder = await createEmbedder(options.embedder);
  await buildIndex({ ...options, embedder, stores });
  return loadSnapshot(options.dataDir, options.embedder, embedder, undefined, stores);
}

/**
 * The live build is damaged (a file truncated or deleted): answer from the newest other build that
 * loads, with a warning, rather than not at all. Fails with the live build's error if none loads.
 */
async function loadPrevious(options: EngineOptions, stores: VectorStoreFactory, damage: NewsdeskError): Promise<Snapshot> {
  const live = await currentBuild(options.dataDir);
  for (const build of await otherBuilds(options.dataDir, live)) {
    try {
      const snapshot = await loadSnapshot(options.dataDir, options.embedder, undefined, build, stores);
      options.log(
        `index: warning: the live build ${live} is damaged (${damage.detail ?? damage.message}); ` +
          `answering from the previous build ${build}. Run npm run reindex to rebuild.`,
      );
      return snapshot;
    } catch {
      // Try an older one.
    }
  }
  throw damage;
}

const HEADLINE_LIMIT = 200;

/** Headlines newest first, or by relevance to `query`, within the outlet and date filters. */
export async function findHeadlines(snapshot: Snapshot, filter: HeadlineQuery, settings: RetrievalSettings): Promise<Document[]> {
  const inRange = (doc: Document) =>
    doc.kind === 'headline' &&
    (!filter.outlet || doc.outlet?.toLowerCase() === filter.outlet.toLowerCase()) &&
    (!filter.from || (doc.date !== null && doc.date >= filter.from)) &&
    (!filter.to || (doc.date !== null && doc.date <= filter.to));
  if (!filter.query?.trim()) {
    return snapshot.documents.filter(inRange).sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || a.title.localeCompare(b.title));
  }
  const parsed = parseQuery(filter.query, snapshot.outlets);
  const fits = (doc: Document) =>
    inRange(doc) && (!parsed.outlet || doc.outlet === parsed.outlet) && (!parsed.date || matchesDate(doc.date, parsed.date));
  // A listing shows every match: no near-duplicate folding, and a "latest"/filter-only query
  // walks the newest-first order only as far as the listing reaches.
  const found = await retrieve(snapshot, filter.query, HEADLINE_LIMIT, settings, 'hybrid', [], { dedupe: false });
  const ranked = new Set([...found.hits, ...found.more].map((hit) => hit.doc));
  const relevant = [...ranked].filter(fits);
  return found.answered || parsed.outlet || parsed.date ? relevant : [];
}

function describe(snapshot: Snapshot): CorpusInfo {
  const dates = snapshot.documents.map((d) => d.date).filter((d): d is string => !!d).sort();
  const headlines = snapshot.documents.filter((d) => d.kind === 'headline').length;
  return {
    documents: snapshot.documents.length,
    articles: snapshot.documents.length - headlines,
    headlines,
    firstDate: dates[0] ?? null,
    lastDate: dates.at(-1) ?? null,
    outlets: snapshot.outlets,
    embedder: snapshot.manifest.embedder.id,
    builtAt: snapshot.manifest.builtAt,
  };
}
