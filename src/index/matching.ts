/**
 * The passages that match a topic, all of them rather than the best few: what /timeline, the
 * coverage questions and the headline chart count. Held to a relevance floor so that items merely
 * near the topic do not enter a count.
 */
import { composeAnswer, type Hit } from './compose.js';
import { CLOSE_SOURCES, DEFAULT_SETTINGS, retrieve, termShare, type RetrievalSettings } from './retriever.js';
import type { Expansion } from './expand.js';
import type { Snapshot } from './snapshot.js';
import { canonicalText, contentTerms } from './terms.js';
import { actorsHeld, capitalizedWords, definedPlaces, FOLLOW_DENSE, FOLLOW_LEADERS, FOLLOW_NEIGHBOURS, followsStory, topicActors, type Actor } from './story.js';
import { dot } from './vector.js';
import { matchesDate } from './query.js';
import type { DocKind, Document, Passage, StoryLink } from './types.js';

/**
 * A passage matches when it holds at least MATCH_SHARE of the topic's words, IDF-weighted (an
 * article's title counts for its passages), or at least NEAR_SHARE of them and is close to the
 * topic in meaning ("army exercises" for "army drills"). Dense similarity alone is not enough:
 * with the Universal Sentence Encoder any two headlines on one country sit close together.
 */
export const MATCH_SHARE = 0.75;
export const NEAR_SHARE = 0.5;
export const NEAR_DENSE = 0.45;

export interface MatchFilter {
  /** Inclusive ISO dates; undated passages are left out when either is set. */
  from?: string | undefined;
  to?: string | undefined;
  only?: DocKind | undefined;
}

/**
 * The IDF-weighted share of the topic's own words in a chunk (with its article's title); 1 for no
 * words. An expansion stands in for the word it comes from, at its weight ("Moscow" for part of
 * "Russia"); it is never a further word the chunk must hold.
 */
export function topicShare(chunkTerms: string[], doc: Document, terms: string[], idf: (term: string) => number, expansions: Expansion[] = []): number {
  if (terms.length === 0) return 1;
  const title = doc.kind === 'article' ? contentTerms(doc.title) : [];
  return termShare(terms, new Set([...chunkTerms, ...title]), idf, expansions);
}

/** The relevance floor, from the share of the topic's words and the cosine similarity to it. Pure. */
export function holdsTopic(share: number, dense: number): boolean {
  return share >= MATCH_SHARE || (share >= NEAR_SHARE && dense >= NEAR_DENSE);
}

/** Whether a hit's document is inside the filter. Pure. */
export function withinFilter(hit: Hit, filter: MatchFilter): boolean {
  const date = hit.doc.date;
  if (filter.only && hit.doc.kind !== filter.only) return false;
  if ((filter.from || filter.to) && date === null) return false;
  return (!filter.from || date! >= filter.from) && (!filter.to || date! <= filter.to);
}

/**
 * Every passage matching `topic`, most relevant first; none when retrieval refuses the topic.
 * Retrieval decides whether the topic is covered at all and which words it is made of; then one
 * linear pass holds each chunk to the floor (retrieval's own top-k would cut a count short, and
 * its story dedup costs a comparison per pair).
 */
export async function matchingPassages(
  snapshot: Snapshot,
  topic: string,
  filter: MatchFilter = {},
  settings: RetrievalSettings = DEFAULT_SETTINGS,
): Promise<Passage[]> {
  return (await matchTopic(snapshot, topic, filter, settings, false)).passages;
}

/**
 * A timeline's passages: those matching `topic`, then those following its story (each with `follows`:
 * the matching passage it is close to, and any defined name that stood in for the topic's).
 */
export async function storyPassages(
  snapshot: Snapshot,
  topic: string,
  filter: MatchFilter = {},
  settings: RetrievalSettings = DEFAULT_SETTINGS,
): Promise<Passage[]> {
  return (await matchTopic(snapshot, topic, filter, settings, true)).passages;
}

interface Candidate {
  hit: Hit;
  label: number;
  share: number;
}

async function matchTopic(snapshot: Snapshot, topic: string, filter: MatchFilter, settings: RetrievalSettings, follow: boolean): Promise<{ passages: Passage[] }> {
  const found = await retrieve(snapshot, topic, 1, settings);
  if (!found.answered) return { passages: [] };
  const { idf, parsed } = found;
  const terms = contentTerms(parsed.text);
  // Only expansions that say the same thing stand in for a topic's word: a narrower or merely
  // related one ("discuss" for "deal") would put passages that never mention the topic in a count.
  const expansions = found.expansions.filter((e) => CLOSE_SOURCES.has(e.source));
  const [query] = await snapshot.embedder.embed([canonicalText(parsed.text.trim() || topic, snapshot.caseMap)]);
  const eligible = (label: number): boolean => {
    const chunk = snapshot.chunks[label]!;
    const doc = snapshot.docById.get(chunk.docId)!;
    if (!withinFilter({ chunk, doc, score: 0 }, filter)) return false;
    return !(parsed.outlet && doc.outlet !== parsed.outlet) && !(parsed.date && !matchesDate(doc.date, parsed.date));
  };
  const direct: Candidate[] = [];
  const vectors = await snapshot.vectors.vectors(snapshot.chunks.map((chunk) => chunk.id));
  snapshot.chunks.forEach((chunk, label) => {
    if (!eligible(label)) return;
    const doc = snapshot.docById.get(chunk.docId)!;
    const vector = vectors[label];
    const dense = vector ? dot(query!, vector) : 0;
    const share = topicShare(snapshot.chunkTerms[label]!, doc, terms, idf, expansions);
    if (holdsTopic(share, dense)) direct.push({ hit: { chunk, doc, score: (share + Math.max(0, dense)) / 2 }, label, share });
  });
  direct.sort((a, b) => b.hit.score - a.hit.score);
  const actors = follow ? topicActors(parsed.text, terms, snapshot.caseMap, idf, expansions, snapshot.lexicons.places) : [];
  const followers = actors.length > 0 ? await followersOf(snapshot, direct, actors, eligible, vectors) : [];
  const hits = [...direct.map((d) => d.hit), ...followers.map((f) => f.hit)];
  const passages = composeAnswer(topic, { ...found, answered: true, hits, more: [] }).passages;
  const links = new Map(followers.map((f) => [f.hit.chunk.id, f.follows]));
  return { passages: passages.map((p) => (links.has(p.chunkId) ? { ...p, follows: links.get(p.chunkId)! } : p)) };
}

/** A chunk's terms with its article's title, which counts for each of its passages. */
function termsOf(chunkTerms: string[], doc: Document): string[] {
  return doc.kind === 'article' ? [...chunkTerms, ...contentTerms(doc.title)] : chunkTerms;
}

/**
 * The passages that follow the story, closest first: near neighbours of the best direct matches
 * that hold the topic's actors, each naming the match it is closest to.
 */
async function followersOf(
  snapshot: Snapshot,
  direct: Candidate[],
  actors: Actor[],
  eligible: (label: number) => boolean,
  vectors: Array<Float32Array | undefined>,
): Promise<Array<{ hit: Hit; follows: StoryLink }>> {
  const matched = new Set(direct.map((d) => d.label));
  const nearest = new Map<number, { closest: number; lead: Candidate }>();
  for (const lead of direct.slice(0, FOLLOW_LEADERS)) {
    const vector = vectors[lead.label];
    if (!vector) continue;
    for (const { label, score } of await snapshot.rankers.dense(vector, FOLLOW_NEIGHBOURS)) {
      if (matched.has(label) || score < FOLLOW_DENSE || !eligible(label)) continue;
      if ((nearest.get(label)?.closest ?? -Infinity) < score) nearest.set(label, { closest: score, lead });
    }
  }
  const out: Array<{ hit: Hit; follows: StoryLink; closest: number }> = [];
  for (const [label, { closest, lead }] of nearest) {
    const chunk = snapshot.chunks[label]!;
    const doc = snapshot.docById.get(chunk.docId)!;
    const names = capitalizedWords(doc.kind === 'article' ? `${chunk.text} ${doc.title}` : chunk.text, snapshot.caseMap);
    const defined = snapshot.lexicons.places ? definedPlaces(names, snapshot.lexicons.places) : new Map();
    const held = actorsHeld(termsOf(snapshot.chunkTerms[label]!, doc), actors, defined);
    if (!followsStory(held.share, closest)) continue;
    const follows: StoryLink = { text: lead.hit.chunk.text, ...(held.standIns.length > 0 && { standIns: held.standIns }) };
    out.push({ hit: { chunk, doc, score: (held.share + closest) / 2 }, follows, closest });
  }
  return out.sort((a, b) => b.closest - a.closest).map(({ hit, follows }) => ({ hit, follows }));
}
