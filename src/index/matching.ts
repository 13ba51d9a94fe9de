/**
 * The passages that match a topic, all of them rather than the best few: what /timeline, the
 * coverage questions and the headline chart count. Ranked by the engine's own retrieval, then
 * held to a relevance floor so that items merely near the topic do not enter a count.
 */
import { composeAnswer, type Hit } from './compose.js';
import { coverage, DEFAULT_SETTINGS, retrieve, type RetrievalSettings, type Snapshot } from './retriever.js';
import { canonicalText, contentTerms } from './terms.js';
import { dot } from './vector.js';
import type { DocKind, Passage } from './types.js';

/**
 * A passage matches when it holds at least MATCH_SHARE of the topic's words, IDF-weighted (an
 * article's title counts for its passages), or at least NEAR_SHARE of them and is close to the
 * topic in meaning ("naval exercises" for "naval drills"). Dense similarity alone is not enough:
 * with the Universal Sentence Encoder any two headlines on one country sit close together.
 */
export const MATCH_SHARE = 0.75;
export const NEAR_SHARE = 0.5;
export const NEAR_DENSE = 0.45;
/** How many chunks retrieval ranks for one topic; beyond this a count would be cut short. */
export const MAX_MATCH_CANDIDATES = 1000;

export interface MatchFilter {
  /** Inclusive ISO dates; undated passages are left out when either is set. */
  from?: string | undefined;
  to?: string | undefined;
  only?: DocKind | undefined;
}

/** Whether a hit holds enough of the topic's words, given its cosine similarity to the topic. Pure. */
export function holdsTopic(hit: Hit, terms: string[], idf: (term: string) => number, dense: number): boolean {
  if (terms.length === 0) return true;
  const title = hit.doc.kind === 'article' ? contentTerms(hit.doc.title) : [];
  const share = coverage(terms, new Set([...contentTerms(hit.chunk.text), ...title]), idf);
  return share >= MATCH_SHARE || (share >= NEAR_SHARE && dense >= NEAR_DENSE);
}

/** Whether a hit's document is inside the filter. Pure. */
export function withinFilter(hit: Hit, filter: MatchFilter): boolean {
  const date = hit.doc.date;
  if (filter.only && hit.doc.kind !== filter.only) return false;
  if ((filter.from || filter.to) && date === null) return false;
  return (!filter.from || date! >= filter.from) && (!filter.to || date! <= filter.to);
}

/** Every passage matching `topic`, most relevant first; none when retrieval refuses the topic. */
export async function matchingPassages(
  snapshot: Snapshot,
  topic: string,
  filter: MatchFilter = {},
  settings: RetrievalSettings = DEFAULT_SETTINGS,
): Promise<Passage[]> {
  const limit = Math.min(snapshot.chunks.length, MAX_MATCH_CANDIDATES);
  // Every candidate is wanted: no dedup (threshold above any similarity), no relative cut.
  const wide = { ...settings, candidates: limit, duplicateThreshold: 1.01, minRelativeScore: 0 };
  const found = await retrieve(snapshot, topic, limit, wide);
  if (!found.answered) return [];
  const idf = (term: string) => snapshot.lexical.idf(term);
  const terms = [...found.queryTerms];
  const [query] = await snapshot.embedder.embed([canonicalText(found.parsed.text.trim() || topic, snapshot.caseMap)]);
  const labels = new Map(snapshot.chunks.map((chunk, label) => [chunk.id, label]));
  const dense = (hit: Hit) => dot(query!, snapshot.vectors.vector(labels.get(hit.chunk.id)!));
  const hits = [...found.hits, ...found.more].filter((hit) => withinFilter(hit, filter) && holdsTopic(hit, terms, idf, dense(hit)));
  return composeAnswer(topic, true, hits, [], found.queryTerms, idf).passages;
}
