/** The shapes that flow between the engine's stages (see docs/architecture.md). */

export type DocKind = 'article' | 'headline';

/** One source document: the article, a headline, or a file an operator dropped in corpus/. */
export interface Document {
  /** Stable across re-indexes of the same corpus: derived from the file name and position. */
  id: string;
  kind: DocKind;
  title: string;
  outlet: string | null;
  /** ISO date, YYYY-MM-DD. */
  date: string | null;
  url: string | null;
  /** The text that chunk offsets point into. For a headline it is the title. */
  text: string;
  /** Where it came from, for error messages: corpus-relative file and 1-based line. */
  file: string;
  line: number;
  /** Front matter keys other than title, outlet, date and url (author, tags…), as parsed. */
  meta?: Record<string, unknown>;
  /**
   * An article's sentences as the chunker cut them, pairs of offsets into `text` ([start0, end0,
   * start1, end1, …]), saved with the build so that quoting never splits sentences again. Absent
   * when the build did not save them (a database build): quoting splits the paragraph then.
   */
  sentences?: Uint32Array;
}

/** A slice of a document's text. `text === doc.text.slice(start, end)` always holds. */
export interface Chunk {
  id: string;
  docId: string;
  text: string;
  start: number;
  end: number;
}

/** A problem met reading the corpus, reported as `file:line: reason` (`file: reason` for a whole file). */
export interface ParseProblem {
  file: string;
  /** 1-based; absent when the problem is the file as a whole (e.g. not UTF-8 text). */
  line?: number;
  reason: string;
  /** `file`: the whole file was skipped; `line`: that line was skipped; `warning`: kept anyway. */
  kind: 'file' | 'line' | 'warning';
}

/** What an answer says about where a passage comes from. */
export type Source = Pick<Document, 'id' | 'kind' | 'title' | 'outlet' | 'date' | 'url'>;

/** A quoted passage: `text === document.text.slice(start, end)`. */
export interface Passage {
  text: string;
  score: number;
  source: Source;
  chunkId: string;
  start: number;
  end: number;
  /** Ranges inside `text` of the query terms that matched, for bolding. */
  highlights: Array<[number, number]>;
  /** On a timeline only: why a passage that lacks the topic's words is shown. */
  follows?: StoryLink;
}

/** A passage that follows a topic's story: nearly the same text as one that holds the topic. */
export interface StoryLink {
  /** The passage it follows, which holds the topic. */
  text: string;
  /** Names WordNet defines through one of the topic's countries that stood in for it ("Putin for Russia"). */
  standIns?: string[];
}

export interface Answer {
  question: string;
  answered: boolean;
  /** The best passages, best first. Empty when not answered. */
  passages: Passage[];
  /** Further passages, including near-duplicates of the shown ones, for a "More" button. */
  more: Passage[];
  /**
   * The outlet and date the question named when nothing matched one of them, so the passages are
   * the nearest instead ("No Reuters items in February 2025; the nearest are:"). Absent otherwise.
   */
  unmatched?: UnmatchedFilters;
  /** Set when the question asks about the coverage itself ("which outlets covered…"). */
  coverage?: Coverage;
}

/** A calendar pattern: a month of any year when `year` is absent, a day when `day` is set. */
export interface DatePattern {
  year?: number;
  month?: number;
  day?: number;
}

export interface UnmatchedFilters {
  outlet?: string;
  date?: DatePattern;
}

/** What a question about the coverage asks for: outlets, a count, or who and when. */
export type CoverageKind = 'outlets' | 'count' | 'who-when';

/** One outlet's share of the matching documents. `outlet` is null for documents naming none. */
export interface OutletCoverage {
  outlet: string | null;
  count: number;
  /** The distinct dates of its matching documents, oldest first. */
  dates: string[];
}

/** The documents matching a topic, counted by outlet: answered from the index's metadata. */
export interface Coverage {
  kind: CoverageKind;
  topic: string;
  /** Only headlines or only articles, when the question said so. */
  only?: DocKind;
  /** Matching documents in all. */
  documents: number;
  /** Most documents first, then by name; the documents with no outlet last. */
  outlets: OutletCoverage[];
}

export interface TimelineQuery {
  topic: string;
  /** Inclusive ISO dates. */
  from?: string;
  to?: string;
}

/** One day of a timeline: its matching passages, most relevant first. `date` null: undated. */
export interface TimelineDay {
  date: string | null;
  passages: Passage[];
}

/** The passages matching a topic, day by day, oldest first, undated last. */
export interface Timeline {
  topic: string;
  days: TimelineDay[];
  /** Passages in all. */
  total: number;
}

export interface AskOptions {
  /** How many passages to show. */
  k?: number;
  /**
   * The earlier questions of the same conversation, oldest first. A follow-up ("who reported
   * it?", "and the Globe?") is read against them; a question on a new topic ignores them.
   */
  history?: readonly string[];
  /** Internal, for `npm run eval`'s baselines: one ranker alone instead of the hybrid. */
  mode?: 'hybrid' | 'dense' | 'lexical';
}

export interface HeadlineQuery {
  query?: string;
  outlet?: string;
  /** Inclusive ISO dates. */
  from?: string;
  to?: string;
}

export interface Manifest {
  formatVersion: number;
  embedder: { id: string; dimensions: number };
  chunking: ChunkOptions;
  corpusHash: string;
  builtAt: string;
  documents: number;
  chunks: number;
}

export interface ChunkOptions {
  /** Target chunk size in characters; sentences are never cut. */
  targetChars: number;
  /** How many characters of trailing sentences to repeat at the start of the next chunk. */
  overlapChars: number;
}

export interface CorpusInfo {
  documents: number;
  articles: number;
  headlines: number;
  firstDate: string | null;
  lastDate: string | null;
  outlets: string[];
  embedder: string;
  builtAt: string;
}

export interface ReindexSummary {
  documents: number;
  chunks: number;
  /** Files and lines that could not be read and were left out (see ParseProblem.kind). */
  skipped: ParseProblem[];
  /** Documents kept with a caveat, e.g. a date that could not be read. */
  warnings: ParseProblem[];
  embedded: number;
  cached: number;
  seconds: number;
  embedderId: string;
  /**
   * How the build used the previous one: `in-place` updated its vector and BM25 indexes,
   * `rebuilt` laid the vector index out again from cached vectors (too many deleted labels),
   * `full` read everything anew (no usable previous build, or `--full`).
   */
  update?: { mode: 'in-place' | 'rebuilt' | 'full'; filesRead: number; files: number; chunksAdded: number; chunksRemoved: number };
}

export type ProgressFn = (event: ProgressEvent) => void;
export type ProgressEvent =
  | { stage: 'parse'; files: number }
  /** Counted in chunks (passages), as the summary's `embedded` is. */
  | { stage: 'embed'; done: number; total: number }
  | { stage: 'write' };

/** How a question was read and why it was answered or refused (`ask --explain`; never shown by the bot). */
export interface Explanation {
  question: string;
  /** The question without the outlet and date phrases. */
  searchText: string;
  /** Its content words, normalized. */
  terms: string[];
  /** Words added for the question's words, each weighted below them. */
  expansions: Array<{ from: string; term: string; via: string; source: string; weight: number }>;
  /** Earlier questions of the conversation that it used. */
  history: string[];
  /** `inStore`: the rankers applied the outlet and date themselves (STORE=postgres: WHERE clauses). */
  filters: { outlet: string | null; date: string | null; recent: boolean; applied: boolean; inStore?: true };
  /** dense, BM25 and fused: each one's top five with raw scores. */
  rankers: Array<{ name: string; top: Array<{ score: number; text: string; source: string }> }>;
  evidence: { dense: number; lexical: number; agree: boolean };
  answered: boolean;
  reason: string;
}

/** What the bot and the CLI use. Built by `openEngine` in engine.ts. */
export interface Engine {
  ask(question: string, options?: AskOptions): Promise<Answer>;
  /** How `ask` reads the question: terms, expansions, filters, rankings and the verdict. */
  explain(question: string, options?: AskOptions): Promise<Explanation>;
  /**
   * The `k` best passages for a question whether or not `ask` would answer it (refused questions
   * included): what the feedback report shows an operator. Never shown to users.
   */
  nearest(question: string, k?: number): Promise<Passage[]>;
  /** Chunk `chunkId` of the loaded index quoted for `question`; undefined once a re-index dropped it. */
  passage(chunkId: string, question: string, score: number): Passage | undefined;
  /** Headlines matching the filter: newest first, or by relevance when `query` is set. */
  headlines(filter: HeadlineQuery): Promise<Document[]>;
  /** The passages matching `topic`, in date order, grouped by day. */
  timeline(query: TimelineQuery): Promise<Timeline>;
  document(id: string): Document | undefined;
  outlets(): string[];
  about(): CorpusInfo;
  /** Rebuilds the index from the corpus and swaps it in; answers keep flowing meanwhile. */
  reindex(onProgress?: ProgressFn): Promise<ReindexSummary>;
  /** Loads the newest index from disk if another process wrote one. Returns whether it changed. */
  reload(): Promise<boolean>;
  /**
   * Resolves once the current index searches its vectors by their own index (the HNSW graph, read
   * after the engine opens; questions before that are answered by an exact scan, with the same
   * results) and the parts built on first use are built (the warm-up); rejects when that index
   * cannot be read (questions go on by the scan).
   */
  indexed?(): Promise<void>;
  close(): Promise<void>;
}
