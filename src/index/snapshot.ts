/**
 * A loaded index and the question path over it. `loadSnapshot` and `loadOrBuild` make one;
 * `answer`, `explain`, `findHeadlines` and `timeline` read one and never change it, so the engine
 * swaps snapshots by reference and a question in flight finishes on the one it started with.
 */
import { NewsdeskError, isNewsdeskError } from '../errors.js';
import { hasWords, stripInvisible } from './clean-text.js';
import { composeAnswer } from './compose.js';
import { coverageAnswer, detectCoverageQuestion } from './coverage.js';
import { createEmbedder, createEmbedderById, type Embedder, type EmbedderOptions } from './embedder.js';
import { indexPlaces, type PlaceIndex } from './expand.js';
import { explainRetrieval } from './explain.js';
import { buildIndex } from './indexer.js';
import type { WeightedText } from './followup.js';
import type { LexicalIndex, WeightedTerm } from './lexical.js';
import type { Ranked } from './fusion.js';
import { matchingPassages, storyPassages } from './matching.js';
import { nearestPassages } from './nearest.js';
import { worldPlaces } from './places.js';
import { matchesDate, type ChunkFilter } from './query.js';
import { DEFAULT_SETTINGS, retrieve, type Retrieval, type RetrievalSettings, type RetrieveOptions } from './retriever.js';
import { currentBuild, loadIndex, loadManifest, otherBuilds } from './store.js';
import { contentTerms } from './terms.js';
import type { LexicalData } from './term-data.js';
import { buildTimeline, timelineTopic } from './timeline.js';
import type { Answer, AskOptions, Chunk, ChunkOptions, CorpusInfo, Document, Explanation, HeadlineQuery, Manifest, Passage, ProgressFn, Timeline, TimelineQuery } from './types.js';
import type { VectorHit, VectorStore, VectorStoreFactory } from './vector-store.js';
import { openWordNet, type WordNet } from './wordnet.js';

/** A loaded index: everything a question needs, never mutated, swapped whole on re-index. */
export interface Snapshot {
  build: string;
  manifest: Manifest;
  documents: Document[];
  docById: Map<string, Document>;
  chunks: Chunk[];
  /** Position in `chunks` (the label every ranked list uses) by chunk id, the vector store's key. */
  labelOf: Map<string, number>;
  vectors: VectorStore;
  /** Word weights over the build's chunks, which the refusal evidence and quote selection read. */
  lexical: TermStats;
  /** Where a question's dense and lexical top-k come from: the process's own indexes, or the database. */
  rankers: Rankers;
  embedder: Embedder;
  outlets: string[];
  /** The corpus's usual casing of each word, for `canonicalText`. */
  caseMap: Map<string, string>;
  /** `contentTerms` of each chunk's text, by label: computed once per load, used per question. */
  chunkTerms: string[][];
  /** Every normalized term of the corpus (texts and titles): expansions are limited to these. */
  vocabulary: Set<string>;
  /** Lexical knowledge for query expansion; both parts load lazily, on the first question. */
  lexicons: { wordnet?: WordNet; places?: PlaceIndex };
}

export interface TermStats {
  /** Inverse document frequency of a normalized term; unseen terms get the highest value. */
  idf(term: string): number;
}

/** The two rankings a question fuses, as labels (positions in `chunks`), best first. */
export interface Rankers {
  /**
   * true: the rankers apply a question's outlet and date themselves (WHERE clauses in the
   * database) before the top-k is cut; false: they take no filter, and filters apply after fusion.
   */
  readonly filters: boolean;
  dense(query: Float32Array, k: number, filter?: ChunkFilter): Promise<Ranked[]>;
  /** The question's weighted terms (its own and their expansions), and a follow-up's earlier text. */
  lexical(query: LexicalQuery, context: WeightedText[], k: number, filter?: ChunkFilter): Promise<Ranked[]>;
}

/** A question's words for a lexical ranker. */
export interface LexicalQuery {
  /** Its own terms and their expansions, for a ranker that sums every term. */
  terms: WeightedTerm[];
  /** The same grouped by question concept (`concepts.ts`), for a ranker that scores concepts. */
  concepts?: WeightedTerm[][];
}

/** Store hits as ranked labels; an id this snapshot lacks is skipped. */
export function labelled(hits: readonly VectorHit[], labelOf: ReadonlyMap<string, number>): Ranked[] {
  return hits.flatMap(({ id, score }) => {
    const label = labelOf.get(id);
    return label === undefined ? [] : [{ label, score }];
  });
}

/** The embedded store's rankers: HNSW in the vector store, the build's BM25 index, a follow-up's earlier text as a second search. */
function inProcessRankers(vectors: VectorStore, lexical: LexicalIndex, labelOf: ReadonlyMap<string, number>): Rankers {
  return {
    filters: false,
    dense: async (query, k) => labelled(await vectors.search(query, k), labelOf),
    lexical: async (query, context, k) => lexical.searchFollowUp(query, context, k),
  };
}

// ---- Loading and building ----

export interface LoadOptions {
  dataDir: string;
  embedder: EmbedderOptions;
  stores: VectorStoreFactory;
  /** A build other than the live one (the fallback reads older builds). */
  build?: string;
  /** The query embedder in use: kept when the build was made by the same one. */
  current?: Embedder;
}

/** Loads the live index (or `build`) and the embedder that built it. */
export async function loadSnapshot(options: LoadOptions): Promise<Snapshot> {
  const build = options.build ?? (await currentBuild(options.dataDir)) ?? undefined;
  // The embedder the manifest names loads while the build's files do: on its worker threads, or
  // between the file reads. The build's own errors (missing, corrupt) still come first.
  const early = build ? embedderOfManifest(options, build) : Promise.resolve(null);
  let loaded: Awaited<ReturnType<typeof loadIndex>>;
  try {
    // The lexical index, chunk terms, casing, vocabulary and outlets come saved with the build.
    loaded = await loadIndex(options.dataDir, build, options.stores);
  } catch (error) {
    void early.then((made) => dropUnused(made, options.current));
    throw error;
  }
  const made = await early;
  if (made && 'error' in made) throw made.error;
  const embedder = made?.embedder ?? options.current;
  let snapshot: Snapshot;
  try {
    snapshot = await snapshotOf(loaded, (labelOf) => inProcessRankers(loaded.vectors, loaded.lexical, labelOf), options.embedder, embedder);
  } catch (error) {
    await dropUnused(made, options.current);
    throw error;
  }
  // Only now the vector store's own index (the HNSW graph) is read: on two cores its read would
  // slow the parsing above. Questions meanwhile are answered by an exact scan; a graph that cannot
  // be read leaves them there (the engine logs it).
  snapshot.vectors.whenIndexed?.().catch(() => {});
  return snapshot;
}

type Made = { embedder: Embedder } | { error: unknown };

/** The embedder the build's manifest names, as a result rather than a rejection; null when the manifest can't be read (loadIndex says why). */
async function embedderOfManifest(options: LoadOptions, build: string): Promise<Made | null> {
  const manifest = await loadManifest(options.dataDir, build).catch(() => null);
  if (!manifest) return null;
  return embedderFor(manifest.embedder.id, options.embedder, options.current).then(
    (embedder) => ({ embedder }),
    (error: unknown) => ({ error }),
  );
}

/** Frees an embedder made for a load that failed (its worker threads), unless it is the one in use. */
async function dropUnused(made: Made | null, current?: Embedder): Promise<void> {
  if (made && 'embedder' in made && made.embedder !== current) await made.embedder.close?.().catch(() => {});
}

/** A build as a store hands it over: its files, or a database's rows, with its term data. */
export type StoredBuild = Pick<Snapshot, 'build' | 'manifest' | 'documents' | 'chunks' | 'vectors' | 'lexical'> & Omit<LexicalData, 'lexical'>;

/** A loaded build (from files or from a database) and its rankers made ready for questions. */
export async function snapshotOf(
  stored: StoredBuild,
  rankersOf: (labelOf: ReadonlyMap<string, number>) => Rankers,
  options: EmbedderOptions,
  current?: Embedder,
): Promise<Snapshot> {
  const embedder = await embedderFor(stored.manifest.embedder.id, options, current);
  if (embedder.dimensions !== stored.manifest.embedder.dimensions) {
    throw new NewsdeskError('INDEX_MISMATCH', `The index has ${stored.manifest.embedder.dimensions} dimensions; ${embedder.id} has ${embedder.dimensions}.`);
  }
  const docById = new Map(stored.documents.map((doc) => [doc.id, doc]));
  const labelOf = new Map(stored.chunks.map((chunk, label) => [chunk.id, label]));
  return { ...stored, docById, labelOf, rankers: rankersOf(labelOf), embedder, lexicons: sharedLexicons() };
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

let lexicons: Snapshot['lexicons'] | null = null;

/** WordNet and the countries, shared by every snapshot of the process: both are read-only. */
function sharedLexicons(): Snapshot['lexicons'] {
  lexicons ??= { wordnet: openWordNet(undefined, { prefetch: true }), places: indexPlaces(worldPlaces()) };
  return lexicons;
}

export interface OpenOptions {
  corpusDir: string;
  dataDir: string;
  embedder: EmbedderOptions;
  chunking: ChunkOptions;
  stores: VectorStoreFactory;
  log: (line: string) => void;
  /** Build the index when there is none yet, instead of failing with INDEX_MISSING. */
  buildIfMissing?: boolean;
  onProgress?: ProgressFn;
}

/** The live snapshot; the previous build when the live one is damaged; a first build if asked. */
export async function loadOrBuild(options: OpenOptions): Promise<Snapshot> {
  try {
    return await loadSnapshot(options);
  } catch (error) {
    if (isNewsdeskError(error, 'INDEX_CORRUPT')) return loadPrevious(options, error);
    if (!options.buildIfMissing || !isNewsdeskError(error, 'INDEX_MISSING')) throw error;
  }
  options.log('index: none yet, building it from the corpus (this happens once)');
  const embedder = await createEmbedder(options.embedder);
  await buildIndex({ ...options, embedder });
  return loadSnapshot({ ...options, current: embedder });
}

/**
 * The live build is damaged (a file truncated or deleted): answer from the newest other build that
 * loads, with a warning, rather than not at all. Fails with the live build's error if none loads.
 */
async function loadPrevious(options: OpenOptions, damage: NewsdeskError): Promise<Snapshot> {
  const live = await currentBuild(options.dataDir);
  for (const build of await otherBuilds(options.dataDir, live)) {
    try {
      const snapshot = await loadSnapshot({ ...options, build });
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

// ---- Questions ----

export const MAX_QUESTION_CHARS = 500;
export const DEFAULT_K = 3;
const MAX_K = 10;

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

export interface AnswerOptions extends AskOptions {
  settings?: RetrievalSettings;
}

/**
 * The one question path: validate, answer a question about the coverage itself by counting,
 * otherwise retrieve (with the conversation's history) and quote. Used by the engine (so the bot
 * and the CLI), eval and the scale bench.
 */
export async function answer(snapshot: Snapshot, question: string, options: AnswerOptions = {}): Promise<Answer> {
  const text = validateQuestion(question);
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const asked = detectCoverageQuestion(text);
  if (asked) return coverageAnswer(text, asked, await matchingPassages(snapshot, asked.topic, { only: asked.only }, settings), answerK(options));
  // Only the passages are read here: a question that only lists needs no embedding nor ranking.
  return composeAnswer(text, await retrieveAsked(snapshot, text, options, { rankListings: false }));
}

/** How `answer` reads the question: terms, expansions, filters, rankings and the verdict. */
export async function explain(snapshot: Snapshot, question: string, options: AnswerOptions = {}): Promise<Explanation> {
  const text = validateQuestion(question);
  return explainRetrieval(snapshot, text, await retrieveAsked(snapshot, text, options));
}

/** The `k` best passages whatever the refusal decision (for the operator's report, never for users). */
export async function nearest(snapshot: Snapshot, question: string, options: AnswerOptions = {}): Promise<Passage[]> {
  return nearestPassages(await retrieveAsked(snapshot, validateQuestion(question), options));
}

function answerK(options: AskOptions): number {
  return Math.min(Math.max(1, Math.floor(options.k ?? DEFAULT_K)), MAX_K);
}

// answer and explain read a question the same way: same k, mode and history.
function retrieveAsked(snapshot: Snapshot, text: string, options: AnswerOptions, retrieveOptions: RetrieveOptions = {}): Promise<Retrieval> {
  const history = (options.history ?? []).map((q) => q.trim()).filter(Boolean);
  return retrieve(snapshot, text, answerK(options), options.settings ?? DEFAULT_SETTINGS, options.mode ?? 'hybrid', history, retrieveOptions);
}

const HEADLINE_LIMIT = 200;

/** Headlines newest first, or by relevance to `query`, within the outlet and date filters. */
export async function findHeadlines(snapshot: Snapshot, filter: HeadlineQuery, settings: RetrievalSettings = DEFAULT_SETTINGS): Promise<Document[]> {
  const inRange = (doc: Document) =>
    doc.kind === 'headline' &&
    (!filter.outlet || doc.outlet?.toLowerCase() === filter.outlet.toLowerCase()) &&
    (!filter.from || (doc.date !== null && doc.date >= filter.from)) &&
    (!filter.to || (doc.date !== null && doc.date <= filter.to));
  if (!filter.query?.trim()) {
    return snapshot.documents.filter(inRange).sort((a, b) => (b.date ?? '').localeCompare(a.date ?? '') || a.title.localeCompare(b.title));
  }
  // A listing shows every match: no near-duplicate folding, and a "latest"/filter-only query
  // walks the newest-first order only as far as the listing reaches.
  const found = await retrieve(snapshot, filter.query, HEADLINE_LIMIT, settings, 'hybrid', [], { dedupe: false, rankListings: false });
  const { parsed } = found;
  const fits = (doc: Document) =>
    inRange(doc) && (!parsed.outlet || doc.outlet === parsed.outlet) && (!parsed.date || matchesDate(doc.date, parsed.date));
  const ranked = new Set([...found.hits, ...found.more].map((hit) => hit.doc));
  const relevant = [...ranked].filter(fits);
  return found.answered || parsed.outlet || parsed.date ? relevant : [];
}

/** The passages on a topic, grouped by day, oldest first. */
export async function timeline(snapshot: Snapshot, query: TimelineQuery, settings: RetrievalSettings = DEFAULT_SETTINGS): Promise<Timeline> {
  const topic = timelineTopic(validateQuestion(query.topic));
  return buildTimeline(topic, await storyPassages(snapshot, topic, query, settings));
}

/** What `about` shows: the corpus in counts and dates, and the index that holds it. */
export function describeCorpus(snapshot: Snapshot): CorpusInfo {
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
