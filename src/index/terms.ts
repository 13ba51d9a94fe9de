import { stemmer } from 'stemmer';
import { eng } from 'stopword';

/** A word of the text as a search term, with where it stands in the original string. */
export interface Term {
  term: string;
  start: number;
  end: number;
}

/**
 * English stopwords, plus the words questions are made of ("what did … say", "report", "news")
 * that say nothing about the topic.
 */
const QUESTION_WORDS = ['did', 'does', 'do', 'what', 'which', 'who', 'whom', 'how', 'why', 'when', 'where', 'say', 'said', 'says', 'tell', 'told', 'about', 'there', 'any', 'anything', 'something', 'report', 'reported', 'reports', 'reporting', 'news', 'headline', 'headlines', 'story', 'stories', 'article', 'articles', 'write', 'wrote', 'written', 'publish', 'published', 'happen', 'happened', 'happening'];
const STOPWORDS = new Set([...eng, ...QUESTION_WORDS]);
/** A word, an abbreviation written with dots ("U.S.", one word), or a number formula such as "3+3". */
export const WORD = /(?:\p{Lu}\.){2,}|\d+(?:\+\d+)+|[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/**
 * Case, accents, curly quotes and possessives fold away: "Iran’s", "Iran's", "IRANS" and "Irans"
 * all become "iran". Stemming lets "negotiations" meet "negotiate".
 */
export function normalizeTerm(word: string): string {
  let term = normalized.get(word);
  if (term === undefined) {
    if (normalized.size >= NORMALIZED_CACHE) normalized.clear();
    normalized.set(word, (term = normalizeWord(word)));
  }
  return term;
}

/**
 * Words seen lately and their terms: a question's quotes and highlights normalize the same
 * passages' words again and again, and Unicode folding and stemming cost far more than a look-up.
 * Emptied when full, so it never holds more than a news vocabulary's worth.
 */
const NORMALIZED_CACHE = 65_536;
const normalized = new Map<string, string>();

function normalizeWord(word: string): string {
  const plain = word
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]s$/, '')
    .replace(/['’.]/g, '');
  return stemmer(plain);
}

/** Every word of `text` as a term, stopwords included (for phrase-accurate highlighting). */
export function allTerms(text: string): Term[] {
  const terms: Term[] = [];
  for (const match of text.matchAll(WORD)) {
    terms.push({ term: normalizeTerm(match[0]), start: match.index, end: match.index + match[0].length });
  }
  return terms;
}

export function isStopword(word: string): boolean {
  return STOPWORDS.has(word.toLowerCase().replace(/['’]s$/, ''));
}

/** The content words of `text`, normalized: what search and scoring compare. */
export function contentTerms(text: string): string[] {
  const terms: string[] = [];
  for (const match of text.matchAll(WORD)) {
    if (!isStopword(match[0])) terms.push(normalizeTerm(match[0]));
  }
  return terms;
}

/** Two different terms are one word only when they share at least this many first letters. */
export const MIN_SHARED_PREFIX = 5;

/**
 * Whether two normalized terms name the same word: equal, or sharing all but the last letter of the
 * shorter as a prefix ("inspector" and "inspect", "guarantor" and "guarante"), which catches
 * the derivations the Porter stemmer leaves apart.
 */
export function sameWord(a: string, b: string): boolean {
  if (a === b) return true;
  const shorter = Math.min(a.length, b.length);
  let shared = 0;
  while (shared < shorter && a[shared] === b[shared]) shared++;
  return shared >= Math.max(MIN_SHARED_PREFIX, shorter - 1);
}

/** The query terms present in `terms`, each counted once. */
export function matchedTerms(query: Iterable<string>, terms: Iterable<string>): Set<string> {
  const present = [...new Set(terms)];
  const found = new Set<string>();
  for (const q of query) if (present.some((t) => sameWord(q, t))) found.add(q);
  return found;
}

/** Each word of the corpus, lower-cased, mapped to the casing it most often has there. */
export function buildCaseMap(texts: string[]): Map<string, string> {
  const counts = new Map<string, Map<string, number>>();
  for (const text of texts) {
    for (const [word] of text.normalize('NFKC').matchAll(WORD)) {
      const forms = counts.get(word.toLowerCase()) ?? new Map<string, number>();
      forms.set(word, (forms.get(word) ?? 0) + 1);
      counts.set(word.toLowerCase(), forms);
    }
  }
  const map = new Map<string, string>();
  for (const [lower, forms] of counts) map.set(lower, [...forms].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0]);
  return map;
}

/**
 * The question as the embedder sees it, so that case, punctuation, curly quotes and possessives
 * do not change the answer: each word takes its usual casing in the corpus (unknown words are
 * lower-cased), a possessive "'s" goes, and so does an "s" glued to a proper name ("Irans").
 * Truecasing rather than lower-casing, because the embedder reads case.
 */
export function canonicalText(text: string, caseMap: Map<string, string>): string {
  const words = [...text.normalize('NFKC').replace(/’/g, "'").matchAll(WORD)].map(([word]) => {
    const lower = word.toLowerCase().replace(/'s$/, '');
    const base = lower.endsWith('s') ? caseMap.get(lower.slice(0, -1)) : undefined;
    if (base && /^\p{Lu}/u.test(base)) return base;
    return caseMap.get(lower) ?? lower;
  });
  return words.join(' ');
}

/** `terms` by their first `length` letters (shorter terms left out), for prefix look-ups. */
export function groupByPrefix(terms: Iterable<string>, length: number): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  for (const term of terms) {
    if (term.length < length) continue;
    const key = term.slice(0, length);
    const group = groups.get(key);
    if (group) group.push(term);
    else groups.set(key, [term]);
  }
  return groups;
}
