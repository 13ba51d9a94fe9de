import { isStopword, WORD } from './terms.js';
import type { WordNet } from './wordnet.js';

/**
 * The refusal rule's reading of the question: which of its words the corpus knows, and which
 * words are its focus, the thing asked about. A question whose focus the corpus never mentions
 * ("How deep is the Caspian Sea?", "What is the population of X?") touches the corpus's
 * vocabulary by accident: its other words name the topic, not what is asked.
 */

/** A word's dictionary forms ("prices" -> price), or the word itself when WordNet lacks it. */
export function lemmaKeys(word: string, wordnet: WordNet): string[] {
  const lower = word.toLowerCase().replace(/['’]s$/, '');
  const lemmas = wordnet.lemmas(lower).map((l) => l.lemma);
  return lemmas.length > 0 ? [...new Set(lemmas)] : [lower];
}

/**
 * The lemmas of every word of the corpus. Lemmas, not stems: the stemmer makes "population" and
 * "populated" one word, which is right for ranking but wrong for "does the corpus talk about it".
 */
export function corpusLemmas(words: Iterable<string>, wordnet: WordNet): Set<string> {
  const lemmas = new Set<string>();
  for (const word of words) for (const lemma of lemmaKeys(word, wordnet)) lemmas.add(lemma);
  return lemmas;
}

export function knownWord(word: string, lemmas: Set<string>, wordnet: WordNet): boolean {
  return lemmaKeys(word, wordnet).some((l) => lemmas.has(l));
}

const PREPOSITION = String.raw`(?:of|in|for|at|on|from|between|to|with|by)`;
/** "How deep", "how many calories": what a how-question measures. */
const HOW = /^\s*how\s+(?:(?:many|much)\s+)?([\p{L}-]+)/iu;
/** "What is the population of …", "Who is the prime minister of …": the attribute, then its owner. */
const ATTRIBUTE_OF = new RegExp(String.raw`^\s*(?:what|which|who)(?:'s|\s+(?:is|are|was|were))\s+(?:the\s+|a\s+|an\s+)?([\p{L}\s-]+?)\s+of\s+(?:the\s+)?([\p{L}\s-]+?)(?:\s+${PREPOSITION}\b.*)?[?.!]*\s*$`, 'iu');
/** "What is Armenia's GDP?": the words after the possessive, up to a preposition. */
const POSSESSED = new RegExp(String.raw`^\s*(?:what|which|who)(?:'s|\s+(?:is|are|was|were))\s+(?:the\s+)?[\p{L}\s]+?['’]s?\s+([\p{L}\s-]+?)(?:\s+${PREPOSITION}\b.*)?[?.!]*\s*$`, 'iu');
/** "What time is sunrise …": the subject of a what-noun question. */
const WHAT_NOUN = new RegExp(String.raw`^\s*what\s+[\p{L}]+\s+(?:is|are|was|were)\s+(?:the\s+)?([\p{L}-]+)\b`, 'iu');

/** The last content word of a phrase: its head in English noun phrases ("prime minister"). */
function head(phrase: string | undefined): string[] {
  const words = [...(phrase ?? '').matchAll(WORD)].map((m) => m[0]).filter((w) => !isStopword(w));
  return words.length > 0 ? [words.at(-1)!] : [];
}

/**
 * The question's focus words as written, when its form says what is asked ("how deep", "the
 * population of Azerbaijan", "Armenia's GDP", "what time is sunrise"); otherwise none, and the
 * focus rule stays out of the way.
 */
export function questionFocus(question: string): string[] {
  const how = HOW.exec(question);
  if (how) return head(how[1]);
  const attribute = ATTRIBUTE_OF.exec(question);
  if (attribute) return [...head(attribute[1]), ...head(attribute[2])];
  const possessed = POSSESSED.exec(question);
  if (possessed) return head(possessed[1]);
  const subject = WHAT_NOUN.exec(question);
  if (subject) return head(subject[1]);
  return [];
}
