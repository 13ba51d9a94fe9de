/**
 * Follow-up questions: whether a question leans on the earlier questions of its conversation
 * ("who reported it?", "and the other paper?", "with which partners?") or starts a new topic, and what
 * retrieval then searches for. Pure: the corpus comes in only as `outlets` and `isName`.
 */
import { parseQuery, type DatePattern } from './query.js';
import { contentTerms, sameWord } from './terms.js';

/** A piece of text to search for, and how much it counts next to the question's own words (1). */
export interface WeightedText {
  text: string;
  weight: number;
}

/** What one turn of a conversation asks about: its searchable text pieces and its filters. */
export interface Topic {
  /** Oldest first; the question's own words are the last piece, at weight 1. */
  parts: WeightedText[];
  outlet?: string;
  date?: DatePattern;
}

export interface FollowUp {
  /** Whether the question leans on its history, and the rule that said so. */
  leans: boolean;
  reason: FollowUpReason;
  /** Earlier text to search for too, each piece weighted below the question's own words. */
  context: WeightedText[];
  /** Filters the question takes over from the topic it continues, when it names none itself. */
  outlet?: string;
  date?: DatePattern;
}

export type FollowUpReason = 'no-history' | 'refers-back' | 'continues' | 'no-words-of-its-own' | 'short-and-nameless' | 'new-topic';

export interface FollowUpOptions {
  outlets: string[];
  /** Whether a word names something specific (a person, place, outlet, acronym): new names start a new topic. */
  isName: (word: string) => boolean;
  /** How much an earlier question's words count (default 0.5); older ones fade by this factor again. */
  historyWeight?: number;
}

/** How many earlier questions are read: a conversation drifts, and old turns mostly add noise. */
export const MAX_HISTORY = 4;
export const HISTORY_WEIGHT = 0.5;
/** At most this many content words, none of them a new name, and the question is too thin to stand alone. */
const SHORT = 2;

/** Words that point back at something said before. Possessives are handled apart: see `refersBack`. */
const POINTERS = new Set(['it', 'he', 'him', 'she', 'they', 'them', 'this', 'these', 'those', 'itself', 'himself', 'herself', 'themselves', 'else', 'former', 'latter']);
const POSSESSIVES = new Set(['its', 'his', 'her', 'their']);
/** "that", "there", "too" and "then" point back only at the end ("who said that?"), not in "is there" or "that Canada…". */
const POINTERS_AT_END = new Set(['that', 'there', 'too', 'then', 'again']);
/** Openings that continue the conversation: "and the Globe?", "what about…", "but why?". */
const CONTINUES = /^\s*(?:and|but|or|also|so|then|plus|what\s+about|how\s+about|what\s+of)\b/i;
const WORDS = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/** Whether the question points back: a pronoun, or a possessive with no name before it to own it. */
export function refersBack(question: string, isName: (word: string) => boolean): boolean {
  const words = question.match(WORDS) ?? [];
  let namedYet = false;
  return words.some((raw, i) => {
    const word = raw.toLowerCase();
    if (POINTERS.has(word)) return true;
    if (POSSESSIVES.has(word) && !namedYet) return true;
    if (POINTERS_AT_END.has(word) && i === words.length - 1) return true;
    // "What did Canada say about its tariffs?": the possessive is Canada's, not something earlier.
    if (isName(raw)) namedYet = true;
    return false;
  });
}

/** The question's own reading: its words (without outlet and date phrases) and its filters. */
function ownTopic(question: string, outlets: string[]): Topic & { terms: string[]; text: string } {
  const parsed = parseQuery(question, outlets);
  const text = parsed.text.trim();
  return {
    text,
    terms: contentTerms(text),
    parts: text ? [{ text, weight: 1 }] : [],
    ...(parsed.outlet && { outlet: parsed.outlet }),
    ...(parsed.date && { date: parsed.date }),
  };
}

/** Why (and whether) `question` leans on `previous`. */
export function classify(question: string, previous: Topic | null, options: FollowUpOptions): FollowUpReason {
  if (!previous || (previous.parts.length === 0 && !previous.outlet && !previous.date)) return 'no-history';
  const own = ownTopic(question, options.outlets);
  if (CONTINUES.test(question)) return 'continues';
  if (refersBack(question, options.isName)) return 'refers-back';
  if (own.terms.length === 0) return 'no-words-of-its-own';
  const earlier = previous.parts.flatMap((p) => contentTerms(p.text));
  const newNames = (own.text.match(WORDS) ?? []).filter((w) => options.isName(w) && !contentTerms(w).every((t) => earlier.some((e) => sameWord(t, e))));
  if (own.terms.length <= SHORT && newNames.length === 0) return 'short-and-nameless';
  return 'new-topic';
}

const LEANS: ReadonlySet<FollowUpReason> = new Set(['refers-back', 'continues', 'no-words-of-its-own', 'short-and-nameless']);

/**
 * What a turn asks about once its history is read. A follow-up keeps the topic it continues at a
 * lower weight (its own words lead) and inherits the filters it does not replace; a question with
 * no words of its own ("who reported it?") is the earlier topic itself. A new topic starts clean.
 */
function nextTopic(question: string, previous: Topic | null, options: FollowUpOptions): { topic: Topic; reason: FollowUpReason } {
  const own = ownTopic(question, options.outlets);
  const reason = classify(question, previous, options);
  if (!previous || !LEANS.has(reason)) return { topic: own, reason };
  const weight = own.terms.length === 0 ? 1 : options.historyWeight ?? HISTORY_WEIGHT;
  const kept = previous.parts.map((p) => ({ text: p.text, weight: p.weight * weight }));
  const outlet = own.outlet ?? previous.outlet;
  const date = own.date ?? previous.date;
  return {
    topic: { parts: [...kept, ...own.parts], ...(outlet && { outlet }), ...(date && { date }) },
    reason,
  };
}

/**
 * Reads `question` against `history` (earlier questions of the conversation, oldest first). Each
 * earlier question is itself read against the ones before it, so "and the Globe?" after "what did
 * the Post report?" after "did Canada raise tariffs?" still knows the topic.
 */
export function resolveFollowUp(question: string, history: readonly string[], options: FollowUpOptions): FollowUp {
  let previous: Topic | null = null;
  for (const earlier of history.slice(-MAX_HISTORY)) {
    if (earlier.trim()) previous = nextTopic(earlier, previous, options).topic;
  }
  const { topic, reason } = nextTopic(question, previous, options);
  if (!LEANS.has(reason)) return { leans: false, reason, context: [] };
  const own = ownTopic(question, options.outlets);
  return {
    leans: true,
    reason,
    context: topic.parts.slice(0, topic.parts.length - own.parts.length).filter((p) => contentTerms(p.text).length > 0),
    ...(!own.outlet && topic.outlet && { outlet: topic.outlet }),
    ...(!own.date && topic.date && { date: topic.date }),
  };
}

/**
 * `isName` over the corpus's usual casing: a word the corpus mostly capitalizes ("canada", "ottawa"),
 * or a number ("2020", "3+3"). Words the corpus never uses count when the question capitalizes them.
 */
export function namesFrom(caseMap: Map<string, string>, isStopword: (word: string) => boolean): (word: string) => boolean {
  return (word) => {
    if (isStopword(word)) return false;
    if (/\p{N}/u.test(word)) return true;
    const usual = caseMap.get(word.toLowerCase().replace(/['’]s$/, ''));
    return /^\p{Lu}/u.test(usual ?? word);
  };
}

/** The text the embedder reads for a follow-up: the earlier pieces it needs, then the question. */
export function denseText(own: string, context: WeightedText[]): string {
  return [...context.map((p) => p.text), own].join(' ');
}

/** How much each term counts for the refusal evidence: the question's own words fully, earlier ones less. */
export function termWeights(ownTerms: string[], context: WeightedText[]): Map<string, number> {
  const weights = new Map<string, number>();
  for (const { text, weight } of context) for (const t of contentTerms(text)) weights.set(t, Math.max(weights.get(t) ?? 0, weight));
  for (const t of ownTerms) weights.set(t, 1);
  return weights;
}
