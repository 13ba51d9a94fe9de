import { stemmer } from 'stemmer';
import { eng } from 'stopword';

/** A word of the text as a search term, with where it stands in the original string. */
export interface Term {
  term: string;
  start: number;
  end: number;
}

const STOPWORDS = new Set([...eng, 'did', 'does', 'do', 'what', 'which', 'who', 'whom', 'how', 'why', 'when', 'where', 'say', 'said', 'says', 'tell', 'told', 'about', 'there', 'any', 'anything', 'something']);
const WORD = /[\p{L}\p{N}]+(?:['’][\p{L}]+)*/gu;

/**
 * Case, accents, curly quotes and possessives fold away: "Iran’s", "Iran's", "IRANS" and "Irans"
 * all become "iran". Stemming lets "negotiations" meet "negotiate".
 */
export function normalizeTerm(word: string): string {
  const plain = word
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/['’]s$/, '')
    .replace(/['’]/g, '');
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
