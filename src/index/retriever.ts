import { hasWords } from './clean-text.js';
import type { Hit, Retrieved } from './compose.js';
import { denseText, namesFrom, resolveFollowUp, termWeights, type FollowUp } from './followup.js';
import { DEFAULT_EXPANSION, expandQuestion, indexVocabulary, shareNarrower, type Expansion, type ExpansionSettings } from './expand.js';
import { dayNumber } from './dates.js';
import { listing as listingOf, listingOrder } from './listing.js';
import { matchesDate, parseQuery, storeFilter, type ChunkFilter, type ParsedQuery } from './query.js';
import { boostRecent, diversify, filterOrKeep, reciprocalRankFusion, sortByScore, weightedFusion, type Ranked } from './fusion.js';
import { questionConcepts } from './concepts.js';
import { corpusLemmas, knownWord, questionFocus } from './focus.js';
import { canonicalText, contentTerms, groupByPrefix, isStopword, matchedTerms, MIN_SHARED_PREFIX, normalizeTerm, sameWord } from './terms.js';
import type { Snapshot } from './snapshot.js';
import type { Document, UnmatchedFilters } from './types.js';
import { dot } from './vector.js';

export type RetrievalMode = 'hybrid' | 'dense' | 'lexical';

export interface RetrievalSettings {
  /** How many results each ranker contributes before fusion. */
  candidates: number;
  fusion: 'rrf' | 'weighted';
  /** [dense, lexical] weights for fusion. */
  weights: [number, number];
  /** `storySimilarity` at which two results count as the same story. */
  duplicateThreshold: number;
  /** Results scoring below this share of the best one are not shown (they stay under "More"). */
  minRelativeScore: number;
  /** How much "latest" lifts the newest result, relative to the top score. */
  recencyWeight: number;
  refusal: RefusalThresholds;
  /** Query expansion from WordNet and the countries dataset; null searches the question's words only. */
  expansion: ExpansionSettings | null;
  /**
   * How much a chunk's neighbours in its document add to its embedding when the dense candidates
   * are scored again: a sentence that says "it" is about what the sentence before names. 0 is off.
   */
  denseContext: number;
  /**
   * BM25 by question concept (`concepts.ts`): a word and its expansions count once, at the best of
   * them. false sums every term as one OR query.
   */
  lexicalConcepts: boolean;
}

/** What the refusal decision looks at; every value is in [0, 1]. */
export interface Evidence {
  /** Cosine similarity of the question to the closest chunk. */
  dense: number;
  /** The IDF-weighted share of the question's content words found in the best-covered top result. */
  lexical: number;
  /** Whether the dense and lexical rankers put the same chunk in their top few. */
  agree: boolean;
}

export interface RefusalThresholds {
  /** Below this similarity nothing is answered: "thanks!" matches a headline's words, not its meaning. */
  minDense: number;
  /** Answer when this much of the question is found. */
  lexical: number;
  /** Answer when the embeddings are this sure and at least `denseLexical` of the words are found. */
  dense: number;
  denseLexical: number;
  /** Very sure embeddings need fewer words: a paraphrase shares few ("squeezing finances" for "economy"). */
  strongDense: number;
  strongDenseLexical: number;
  /** With the rankers agreeing, this share of the words suffices. */
  agreedLexical: number;
  /** Refuse a question whose focus ("how deep", "the population of") the corpus never mentions. */
  focus: boolean;
}

export const DEFAULT_SETTINGS: RetrievalSettings = {
  candidates: 50,
  fusion: 'weighted',
  weights: [0.45, 0.55],
  duplicateThreshold: 0.6,
  minRelativeScore: 0.2,
  recencyWeight: 0.5,
  refusal: { minDense: 0.2, lexical: 0.75, dense: 0.45, denseLexical: 0.15, strongDense: 0.7, strongDenseLexical: 0.1, agreedLexical: 0.15, focus: true },
  expansion: DEFAULT_EXPANSION,
  denseContext: 0.15,
  lexicalConcepts: true,
};

const AGREEMENT_DEPTH = 3;
const MORE_LIMIT = 10;

/** How a question was read and ranked, for `ask --explain`. */
export interface RetrievalTrace {
  /** The text searched: the question without its outlet and date phrases. */
  searchText: string;
  /** Its content words, normalized, in order. */
  terms: string[];
  /** Each ranker's best labels with their raw scores, and the fused list after filters. */
  dense: Ranked[];
  lexical: Ranked[];
  fused: Ranked[];
  /** The outlet and date that matched nothing and were dropped, if any. */
  unmatched?: UnmatchedFilters;
  /** The limits the rankers applied themselves (in the database), when they found something. */
  inStore?: ChunkFilter;
  /** Why it was answered or refused, in words. */
  reason: string;
}

/**
 * What retrieval found, and all that composing the answer needs (`Retrieved`): `queryTerms` are
 * the question's own terms and its expansions' terms, what quotes and highlights look for.
 */
export interface Retrieval extends Retrieved {
  parsed: ParsedQuery;
  /** How the question was read against its history (`leans: false` without one). */
  followUp: FollowUp;
  expansions: Expansion[];
  evidence: Evidence;
  trace: RetrievalTrace;
}

const TRACE_DEPTH = 5;

export interface RetrieveOptions {
  /** false lists every result as it ranks, without folding near-duplicates behind "More". */
  dedupe?: boolean;
  /**
   * false: a question that only lists (an outlet, a date or "latest", no words) is neither embedded
   * nor ranked, since its passages come from the newest-first order; its trace then shows no
   * ranked lists and its evidence is empty. For callers that read only the passages (`answer`,
   * `/headlines`); `explain` keeps the default, true.
   */
  rankListings?: boolean;
}

/** The evidence of a question nothing was ranked for. */
const NO_EVIDENCE: Evidence = { dense: 0, lexical: 0, agree: false };

/** The first `n` of a list that may be produced lazily. */
function take<T>(items: Iterable<T>, n: number): T[] {
  const out: T[] = [];
  if (n <= 0) return out;
  for (const item of items) {
    out.push(item);
    if (out.length >= n) break;
  }
  return out;
}

/**
 * The pure refusal rule. Nothing is answered below a floor of dense similarity; above it, enough
 * of the question's words found, or strong embeddings with some word found, or both rankers
 * agreeing on a chunk with a fair share of the words, each suffice.
 */
export function isAnswerable(evidence: Evidence, t: RefusalThresholds): boolean {
  return decide(evidence, t).answered;
}

/** The refusal rule's verdict with the clause that decided it, for --explain. */
export function decide(evidence: Evidence, t: RefusalThresholds): { answered: boolean; reason: string } {
  const share = `${Math.round(evidence.lexical * 100)}% of the question's words found`;
  const dense = `best similarity ${evidence.dense.toFixed(2)}`;
  if (evidence.dense < t.minDense) return { answered: false, reason: `refused: ${dense} is below ${t.minDense}` };
  if (evidence.lexical >= t.lexical) return { answered: true, reason: `answered: ${share} (at least ${t.lexical * 100}%)` };
  if (evidence.dense >= t.dense && evidence.lexical >= t.denseLexical) return { answered: true, reason: `answered: ${dense} (at least ${t.dense}) and ${share}` };
  if (evidence.dense >= t.strongDense && evidence.lexical >= t.strongDenseLexical) return { answered: true, reason: `answered: ${dense} (at least ${t.strongDense}) and ${share}` };
  if (evidence.agree && evidence.lexical >= t.agreedLexical) return { answered: true, reason: `answered: both rankers put one passage in their top ${AGREEMENT_DEPTH}, and ${share}` };
  return { answered: false, reason: `refused: ${share}, ${dense}, rankers ${evidence.agree ? '' : 'do not '}agree: not enough evidence` };
}

/**
 * IDF-weighted share of the query `terms` present in a chunk (with its document's title). A term
 * absent itself but present through an expansion counts at that expansion's weight.
 */
export function termShare(terms: string[], chunkTerms: Set<string>, idf: (term: string) => number, expansions: Expansion[] = []): number {
  const unique = [...new Set(terms)];
  const total = unique.reduce((sum, t) => sum + idf(t), 0);
  if (total === 0) return 0;
  const found = matchedTerms(unique, chunkTerms);
  const present = new Set(chunkTerms);
  let covered = 0;
  for (const t of unique) {
    const credit = found.has(t) ? 1 : Math.max(0, ...expansions.filter((e) => e.fromTerm === t && present.has(e.term)).map((e) => e.weight));
    covered += credit * idf(t);
  }
  return covered / total;
}

export async function retrieve(
  snapshot: Snapshot,
  question: string,
  k: number,
  settings: RetrievalSettings = DEFAULT_SETTINGS,
  mode: RetrievalMode = 'hybrid',
  history: readonly string[] = [],
  options: RetrieveOptions = {},
): Promise<Retrieval> {
  const followUp = resolveFollowUp(question, history, { outlets: snapshot.outlets, isName: namesFrom(snapshot.caseMap, isStopword) });
  const parsed = withInheritedFilters(parseQuery(question, snapshot.outlets), followUp);
  // "Reuters?" leaves only "?" once the outlet is taken out: search the whole question then.
  const searchText = hasWords(parsed.text) ? parsed.text.trim() : question;
  // Terms from what is left once the outlet, date and "latest" are taken out, and a follow-up's
  // earlier words: none left is a listing. Expansions come from the question's own words only.
  const ownTerms = contentTerms(parsed.text);
  const weights = termWeights(ownTermsToWeigh(snapshot, followUp, ownTerms), followUp.context);
  const terms = [...weights.keys()];
  const expansions = settings.expansion ? expandQuestion(searchText, snapshot.vocabulary, snapshot.lexicons, snapshot.caseMap, settings.expansion) : [];
  // A question made only of an outlet, a date or "latest" ("most recent from Newsweek", "what is
  // the latest news?") lists what matches, newest first.
  const listing = terms.length === 0 && !!(parsed.outlet || parsed.date || parsed.recent);
  const unranked = listing && options.rankListings === false;
  const { dense, lexical, found, inStore } = unranked ? { dense: [], lexical: [], found: false, inStore: undefined } : await rankQuestion(snapshot, parsed, searchText, followUp, ownTerms, expansions, settings);
  const fused = mode === 'dense' ? dense : mode === 'lexical' ? lexical : fuse([dense, lexical], settings);
  const { ranked, unmatched } = listing
    ? listingOf(listingOrder(snapshot), parsed, settings.recencyWeight)
    : applyQueryFilters(snapshot, fused, parsed, settings);
  const { selected, duplicates } = options.dedupe === false
    ? { selected: take(ranked, k + MORE_LIMIT), duplicates: [] }
    : await withoutDuplicates(snapshot, ranked, settings.duplicateThreshold, k + MORE_LIMIT);
  const floor = (selected[0]?.score ?? 0) * settings.minRelativeScore;
  const shown = selected.slice(0, k).filter((r) => r.score >= floor);
  const evidence = unranked ? NO_EVIDENCE : gatherEvidence(snapshot, terms, expansions, dense, lexical, selected.slice(0, AGREEMENT_DEPTH), (t) => weights.get(t) ?? 1);
  const toHit = (r: Ranked): Hit => hitOf(snapshot, r);
  const verdict = judge({ snapshot, settings, followUp, parsed, searchText, terms, listing, expansions, evidence });
  return {
    parsed,
    followUp,
    queryTerms: new Set([...terms, ...expansions.map((e) => e.term)]),
    idf: (term) => snapshot.lexical.idf(term),
    expansions,
    evidence,
    // "What did Newsweek report on March 7?" asks for what the filters find, or, when they find
    // nothing, the nearest (said so in `unmatched`).
    answered: verdict.answered,
    ...(unmatched && { unmatched }),
    hits: shown.map(toHit),
    more: sortByScore([...selected.filter((r) => !shown.includes(r)), ...duplicates]).slice(0, MORE_LIMIT).map(toHit),
    trace: { searchText, terms, dense: dense.slice(0, TRACE_DEPTH), lexical: lexical.slice(0, TRACE_DEPTH), fused: take(ranked, TRACE_DEPTH), ...(unmatched && { unmatched }), ...(found && { inStore }), reason: verdict.reason },
  };
}

/** The question's dense and lexical rankings (within the outlet and dates when the store filters). */
async function rankQuestion(snapshot: Snapshot, parsed: ParsedQuery, searchText: string, followUp: FollowUp, ownTerms: string[], expansions: Expansion[], settings: RetrievalSettings) {
  const [queryVector] = await snapshot.embedder.embed([canonicalText(denseText(searchText, followUp.context), snapshot.caseMap)]);
  const weighted = [...ownTerms.map((term) => ({ term, weight: 1 })), ...shareNarrower(expansions)];
  const query = { terms: weighted, ...(settings.lexicalConcepts && { concepts: questionConcepts(ownTerms, expansions) }) };
  const rank = async (filter?: ChunkFilter) => ({
    dense: await withContext(snapshot, queryVector!, await snapshot.rankers.dense(queryVector!, settings.candidates, filter), settings.denseContext),
    lexical: await snapshot.rankers.lexical(query, followUp.context, settings.candidates, filter),
  });
  // Rankers that filter in the store rank within the outlet and date; a filter that matches
  // nothing there falls back to the nearest passages, as the filters after fusion do.
  const inStore = snapshot.rankers.filters ? storeFilter(parsed) : undefined;
  const filtered = inStore && (await rank(inStore));
  const found = !!filtered && (filtered.dense.length > 0 || filtered.lexical.length > 0);
  const { dense, lexical } = found ? filtered! : await rank();
  return { dense, lexical, found, inStore };
}

/**
 * A question read as a follow-up only for being short or opening with "and"/"what about", whose
 * own words appear nowhere in the corpus ("and the weather?", "how do I bake bread?"), asks about
 * something else: the earlier topic must not answer it. A pronoun ("why was he punished?") does
 * tie it to the earlier topic, whatever its words. Short words ("which ones?", "who says so?")
 * are mostly generic, and stem to forms the index leaves out, so only longer ones count.
 */
function offTopicFollowUp(snapshot: Snapshot, followUp: FollowUp, ownText: string): boolean {
  if (!followUp.leans || followUp.reason === 'refers-back') return false;
  const substantial = (ownText.match(/\p{L}{5,}/gu) ?? []).some((word) => contentTerms(word).length > 0);
  return substantial && !contentTerms(ownText).some((term) => snapshot.vocabulary.has(term));
}

/**
 * The question's own words that the refusal evidence weighs. A follow-up's topic comes from its
 * history, so its words the corpus never uses ("who says so?") can't count against it; a
 * follow-up that is about something else is caught by `offTopicFollowUp`.
 */
function ownTermsToWeigh(snapshot: Snapshot, followUp: FollowUp, terms: string[]): string[] {
  if (!followUp.leans) return terms;
  const unseen = snapshot.lexical.idf('');
  return terms.filter((term) => snapshot.lexical.idf(term) < unseen);
}

/** "And the Globe?" keeps the earlier date; "what about March?" the earlier outlet. */
function withInheritedFilters(parsed: ParsedQuery, followUp: FollowUp): ParsedQuery {
  return {
    ...parsed,
    ...(!parsed.outlet && followUp.outlet && { outlet: followUp.outlet }),
    ...(!parsed.date && followUp.date && { date: followUp.date }),
  };
}

/** Whether to answer, and why: listings, then the focus rule, an off-topic follow-up, the evidence. */
function judge(q: {
  snapshot: Snapshot;
  settings: RetrievalSettings;
  followUp: FollowUp;
  parsed: ParsedQuery;
  searchText: string;
  terms: string[];
  listing: boolean;
  expansions: Expansion[];
  evidence: Evidence;
}): { answered: boolean; reason: string } {
  if (q.terms.length === 0) {
    return q.listing
      ? { answered: true, reason: 'answered: the question names only an outlet, a date or "latest"; listing what matches' }
      : { answered: false, reason: 'refused: no content words, and no outlet or date' };
  }
  // A follow-up's topic comes from its history, so its own unknown words can't refuse it
  // ("how much money is involved?"); `offTopicFollowUp` catches one that changes the subject.
  const unknownFocus = q.settings.refusal.focus && !q.followUp.leans ? missingFocus(q.snapshot, q.searchText, q.expansions) : [];
  if (unknownFocus.length > 0) {
    return { answered: false, reason: `refused: the question asks about ${unknownFocus.map((w) => `"${w}"`).join(' and ')}, which the corpus never mentions` };
  }
  if (offTopicFollowUp(q.snapshot, q.followUp, q.parsed.text)) {
    return { answered: false, reason: 'refused: a short follow-up whose own words the corpus never uses asks about something else' };
  }
  return decide(q.evidence, q.settings.refusal);
}

/** The stored vectors of `labels`, fetched from the store in one call. */
async function vectorsOf(snapshot: Snapshot, labels: readonly number[]): Promise<Map<number, Float32Array>> {
  const found = await snapshot.vectors.vectors(labels.map((label) => snapshot.chunks[label]!.id));
  const byLabel = new Map<number, Float32Array>();
  labels.forEach((label, i) => found[i] && byLabel.set(label, found[i]!));
  return byLabel;
}

/** Dense candidates scored again against their embeddings mixed with their neighbours'. */
async function withContext(snapshot: Snapshot, query: Float32Array, list: Ranked[], weight: number): Promise<Ranked[]> {
  if (weight <= 0) return list;
  const sameDoc = (label: number, other: number) => snapshot.chunks[other]?.docId === snapshot.chunks[label]!.docId;
  const neighbours = (label: number) => [label - 1, label + 1].filter((other) => sameDoc(label, other));
  const vectors = await vectorsOf(snapshot, [...new Set(list.flatMap(({ label }) => [label, ...neighbours(label)]))]);
  // One buffer for every candidate's mix: each is scored before the next is mixed.
  let mixed = new Float32Array(0);
  return sortByScore(list.map(({ label, score }) => {
    const own = vectors.get(label);
    if (!own) return { label, score };
    if (mixed.length !== own.length) mixed = new Float32Array(own.length);
    mixed.set(own);
    for (const neighbour of neighbours(label).map((other) => vectors.get(other))) {
      if (neighbour) for (let i = 0; i < mixed.length; i++) mixed[i]! += weight * neighbour[i]!;
    }
    return { label, score: normalizedDot(query, mixed) };
  }));
}

/**
 * `dot(query, normalize(mixed))` with their arithmetic in their order, over Float32Arrays only:
 * the shared helpers take any array, and their call sites here were half the rescoring's time.
 */
function normalizedDot(query: Float32Array, mixed: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < mixed.length; i++) sum += mixed[i]! * mixed[i]!;
  const norm = Math.sqrt(sum);
  if (norm > 0) for (let i = 0; i < mixed.length; i++) mixed[i]! /= norm;
  let score = 0;
  for (let i = 0; i < query.length; i++) score += query[i]! * mixed[i]!;
  return score;
}

const DEDUP_PAGE = 64;

/**
 * `diversify` over the ranked list, fetching vectors a page at a time: a listing can be the whole
 * corpus, of which dedup reads only as far as it takes to fill `limit`.
 */
async function withoutDuplicates(snapshot: Snapshot, ranked: Iterable<Ranked>, threshold: number, limit: number) {
  const vectors = new Map<number, Float32Array>();
  // Each result is compared with every one chosen before it: its distinct words are read once.
  const distinct = new Map<number, DistinctWords>();
  const wordsOf = (label: number) => {
    let words = distinct.get(label);
    if (!words) distinct.set(label, (words = distinctWords(snapshot.chunkTerms[label]!)));
    return words;
  };
  const similarity = (a: number, b: number) => storySimilarity((label) => vectors.get(label), wordsOf, a, b);
  const result = { selected: [] as Ranked[], duplicates: [] as Ranked[] };
  for (const page of pages(ranked, DEDUP_PAGE)) {
    for (const [label, vector] of await vectorsOf(snapshot, page.map((r) => r.label))) vectors.set(label, vector);
    diversify(page, similarity, threshold, limit, result);
    if (result.selected.length >= limit) break;
  }
  return result;
}

function* pages<T>(items: Iterable<T>, size: number): Generator<T[]> {
  let page: T[] = [];
  for (const item of items) {
    page.push(item);
    if (page.length === size) {
      yield page;
      page = [];
    }
  }
  if (page.length > 0) yield page;
}

const lemmaCache = new WeakMap<Snapshot, Set<string>>();

/** The corpus's words as WordNet lemmas, built on the snapshot's first question or its warm-up. */
function lemmasOf(snapshot: Snapshot, wordnet: NonNullable<Snapshot['lexicons']['wordnet']>): Set<string> {
  let lemmas = lemmaCache.get(snapshot);
  if (!lemmas) lemmaCache.set(snapshot, (lemmas = corpusLemmas(snapshot.caseMap.keys(), wordnet)));
  return lemmas;
}

/**
 * Builds what the question path otherwise builds on a snapshot's first questions (the listing
 * order, the corpus's lemmas, the vocabulary's prefix index: about a quarter second at 100k
 * chunks), so that no user's question pays for it.
 */
export function warmUp(snapshot: Snapshot): { dates: number; prefixes: number; lemmas: number } {
  const wordnet = snapshot.lexicons.wordnet;
  return {
    dates: listingOrder(snapshot).dates.length,
    prefixes: indexVocabulary(snapshot.vocabulary).size,
    lemmas: wordnet ? lemmasOf(snapshot, wordnet).size : 0,
  };
}

/** The focus words of the question that neither the corpus nor a close expansion of them has. */
function missingFocus(snapshot: Snapshot, text: string, expansions: Expansion[]): string[] {
  const wordnet = snapshot.lexicons.wordnet;
  if (!wordnet) return [];
  const lemmas = lemmasOf(snapshot, wordnet);
  const close = new Set(expansions.filter((e) => CLOSE_SOURCES.has(e.source)).map((e) => e.fromTerm));
  return questionFocus(text).filter((word) => !knownWord(word, lemmas, wordnet) && !close.has(normalizeTerm(word)));
}

/** Expansions that say the same thing; "similar" and "derived" ones are too loose to vouch for a focus. */
export const CLOSE_SOURCES = new Set<string>(['place', 'place-related', 'synonym']);

function docOf(snapshot: Snapshot, label: number): Document {
  return snapshot.docById.get(snapshot.chunks[label]!.docId)!;
}

function hitOf(snapshot: Snapshot, r: Ranked): Hit {
  return { chunk: snapshot.chunks[r.label]!, doc: docOf(snapshot, r.label), score: r.score };
}

/**
 * How alike two results are as stories: the mean of their embeddings' cosine and their words'
 * overlap. Embeddings alone rate any two Iran headlines alike; words alone miss paraphrase.
 */
function storySimilarity(vectorOf: (label: number) => Float32Array | undefined, wordsOf: (label: number) => DistinctWords, a: number, b: number): number {
  const [left, right] = [vectorOf(a), vectorOf(b)];
  // A chunk the store lacks a vector for is compared by its words alone.
  const cosine = left && right ? dot(left, right) : 0;
  return (cosine + distinctOverlap(wordsOf(a), wordsOf(b))) / 2;
}

/** Jaccard overlap of two term lists, matching words as `sameWord` does. */
export function wordOverlap(a: string[], b: string[]): number {
  return distinctOverlap(distinctWords(a), distinctWords(b));
}

/**
 * A term list without repeats, as `sameWord` reads it: two different terms are the same word only
 * if they share at least their first MIN_SHARED_PREFIX letters, so each is looked for among the other
 * list's terms with its own first letters, not among all of them.
 */
interface DistinctWords {
  terms: string[];
  set: Set<string>;
  byPrefix: Map<string, string[]>;
}

function distinctWords(terms: readonly string[]): DistinctWords {
  const set = new Set(terms);
  return { terms: [...set], set, byPrefix: groupByPrefix(set, MIN_SHARED_PREFIX) };
}

/** `wordOverlap` of two lists without repeats: the left terms some right term matches, over the union. */
function distinctOverlap(left: DistinctWords, right: DistinctWords): number {
  let shared = 0;
  for (const term of left.terms) {
    if (right.set.has(term)) shared++;
    else if (term.length >= MIN_SHARED_PREFIX && right.byPrefix.get(term.slice(0, MIN_SHARED_PREFIX))?.some((other) => sameWord(term, other))) shared++;
  }
  const union = left.terms.length + right.terms.length - shared;
  return union === 0 ? 0 : shared / union;
}

function fuse(lists: Ranked[][], settings: RetrievalSettings): Ranked[] {
  return settings.fusion === 'rrf' ? reciprocalRankFusion(lists, settings.weights) : weightedFusion(lists, settings.weights);
}

/** Outlet and date filters (each ignored when it would leave nothing), then the recency boost. */
function applyQueryFilters(snapshot: Snapshot, list: Ranked[], parsed: ParsedQuery, settings: RetrievalSettings) {
  let ranked = list;
  let relaxed = false;
  const filter = (keep: (label: number) => boolean) => {
    const result = filterOrKeep(ranked, keep);
    ranked = result.list;
    relaxed ||= !result.applied;
  };
  if (parsed.outlet) filter((label) => docOf(snapshot, label).outlet === parsed.outlet);
  if (parsed.date) filter((label) => matchesDate(docOf(snapshot, label).date, parsed.date!));
  if (parsed.recent) ranked = boostRecent(ranked, (label) => dayNumber(docOf(snapshot, label).date), settings.recencyWeight);
  const unmatched: UnmatchedFilters | undefined = relaxed
    ? { ...(parsed.outlet && { outlet: parsed.outlet }), ...(parsed.date && { date: parsed.date }) }
    : undefined;
  return { ranked, unmatched };
}

function gatherEvidence(snapshot: Snapshot, terms: string[], expansions: Expansion[], dense: Ranked[], lexical: Ranked[], top: Ranked[], weight = (_term: string) => 1): Evidence {
  // A follow-up's earlier words count less than its own.
  const idf = (term: string) => snapshot.lexical.idf(term) * weight(term);
  // An article's title counts as context for each of its sentences.
  const termsOf = (label: number) => {
    const doc = docOf(snapshot, label);
    return new Set([...snapshot.chunkTerms[label]!, ...(doc.kind === 'article' ? contentTerms(doc.title) : [])]);
  };
  const lexicalShare = Math.max(0, ...top.map((r) => termShare(terms, termsOf(r.label), idf, expansions)));
  const denseTop = dense.slice(0, AGREEMENT_DEPTH).map((r) => r.label);
  const agree = lexical.slice(0, AGREEMENT_DEPTH).some((r) => denseTop.includes(r.label));
  return { dense: Math.max(0, dense[0]?.score ?? 0), lexical: lexicalShare, agree };
}
