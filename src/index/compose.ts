import { sentences, type Span } from './chunk.js';
import { allTerms, isStopword } from './terms.js';
import type { Answer, Chunk, Document, Passage, Source } from './types.js';

export interface Hit {
  chunk: Chunk;
  doc: Document;
  score: number;
}

/** Sentences that lean on the one before them for their meaning. */
const REFERRING = /^(?:it|its|this|that|these|those|they|their|he|she|his|her|such|rather|but|however|yet|so|thus|instead|also|in this view|to this end|as such|as a result)\b/i;
const SHORT_SENTENCE = 80;
export const MAX_QUOTE_CHARS = 600;

export function toSource(doc: Document): Source {
  return { id: doc.id, kind: doc.kind, title: doc.title, outlet: doc.outlet, date: doc.date, url: doc.url };
}

/** How much of the question a span holds: the summed IDF of the distinct query terms in it. */
function spanScore(text: string, span: Span, queryTerms: Set<string>, idf: (term: string) => number): number {
  const found = new Set<string>();
  for (const t of allTerms(text.slice(span.start, span.end))) if (queryTerms.has(t.term)) found.add(t.term);
  let score = 0;
  for (const term of found) score += idf(term);
  return score;
}

/**
 * The sentences of a chunk that answer best: the top-scoring one, the sentence before it when it
 * needs that for context, and the one after when it holds query terms too. Offsets stay exact.
 */
export function pickQuote(doc: Document, chunk: Chunk, queryTerms: Set<string>, idf: (term: string) => number): Span {
  if (doc.kind === 'headline') return { start: chunk.start, end: chunk.end };
  const spans = sentences(chunk.text).map((s) => ({ start: s.start + chunk.start, end: s.end + chunk.start }));
  const scores = spans.map((span) => spanScore(doc.text, span, queryTerms, idf));
  const best = scores.indexOf(Math.max(...scores));
  if (spans.length === 0 || scores[best]! === 0) return { start: chunk.start, end: chunk.end };
  let first = best;
  let last = best;
  const sentence = doc.text.slice(spans[best]!.start, spans[best]!.end);
  if (best > 0 && (REFERRING.test(sentence) || sentence.length < SHORT_SENTENCE)) first = best - 1;
  const next = best + 1;
  const fits = next < spans.length && spans[next]!.end - spans[first]!.start <= MAX_QUOTE_CHARS;
  if (fits && scores[next]! >= scores[best]! / 2) last = next;
  return { start: spans[first]!.start, end: spans[last]!.end };
}

/** Where the query's content words stand in `text`, for bolding. */
export function highlightRanges(text: string, queryTerms: Set<string>): Array<[number, number]> {
  return allTerms(text)
    .filter((t) => queryTerms.has(t.term) && !isStopword(text.slice(t.start, t.end)))
    .map((t): [number, number] => [t.start, t.end]);
}

export function toPassage(hit: Hit, queryTerms: Set<string>, idf: (term: string) => number): Passage {
  const span = pickQuote(hit.doc, hit.chunk, queryTerms, idf);
  const text = hit.doc.text.slice(span.start, span.end);
  return {
    text,
    score: Math.round(hit.score * 10000) / 10000,
    source: toSource(hit.doc),
    chunkId: hit.chunk.id,
    start: span.start,
    end: span.end,
    highlights: highlightRanges(text, queryTerms),
  };
}

/** The answer: quoted passages when the evidence is there, an honest refusal otherwise. */
export function composeAnswer(
  question: string,
  answered: boolean,
  shown: Hit[],
  more: Hit[],
  queryTerms: Set<string>,
  idf: (term: string) => number,
): Answer {
  if (!answered) return { question, answered: false, passages: [], more: [] };
  return {
    question,
    answered: true,
    passages: shown.map((hit) => toPassage(hit, queryTerms, idf)),
    more: more.map((hit) => toPassage(hit, queryTerms, idf)),
  };
}
