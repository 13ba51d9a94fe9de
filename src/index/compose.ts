import { sentences, type Span } from './chunk.js';
import { allTerms, isStopword, matchedTerms, sameWord } from './terms.js';
import type { Answer, Chunk, Document, Passage, Source, UnmatchedFilters } from './types.js';

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
  const found = matchedTerms(queryTerms, allTerms(text.slice(span.start, span.end)).map((t) => t.term));
  let score = 0;
  for (const term of found) score += idf(term);
  return score;
}

/** The paragraph of `text` that holds `at`: chunks never straddle one, quotes stay inside one. */
function paragraphAround(text: string, at: number): Span {
  const end = text.indexOf('\n', at);
  return { start: text.lastIndexOf('\n', at - 1) + 1, end: end < 0 ? text.length : end };
}

/** The saved sentences (pairs of offsets) that lie inside `paragraph`. */
function sentencesWithin(saved: Uint32Array, paragraph: Span): Span[] {
  const spans: Span[] = [];
  for (let i = 0; i < saved.length; i += 2) {
    const start = saved[i]!;
    if (start >= paragraph.end) break;
    if (start >= paragraph.start) spans.push({ start, end: saved[i + 1]! });
  }
  return spans;
}

/** A document without saved sentences (a database build): the paragraph is split now. */
function splitParagraph(text: string, paragraph: Span): Span[] {
  return sentences(text.slice(paragraph.start, paragraph.end)).map((s) => ({ start: s.start + paragraph.start, end: s.end + paragraph.start }));
}

/**
 * The sentences that answer best: the top-scoring sentence of the chunk, the sentence before it
 * when it needs that for context, and the one after when it holds query terms too. Context comes
 * from the chunk's paragraph, so a one-sentence chunk can still be quoted with its lead-in.
 */
export function pickQuote(doc: Document, chunk: Chunk, queryTerms: Set<string>, idf: (term: string) => number): Span {
  if (doc.kind === 'headline') return { start: chunk.start, end: chunk.end };
  const paragraph = paragraphAround(doc.text, chunk.start);
  const spans = doc.sentences ? sentencesWithin(doc.sentences, paragraph) : splitParagraph(doc.text, paragraph);
  const inChunk = spans.map((span, i) => ({ span, i })).filter(({ span }) => span.start >= chunk.start && span.end <= chunk.end);
  // Scored on demand: only the chunk's sentences and the one after the best are ever compared.
  const scored: number[] = [];
  const score = (i: number) => (scored[i] ??= spanScore(doc.text, spans[i]!, queryTerms, idf));
  const best = inChunk.reduce((a, b) => (score(b.i) > score(a.i) ? b : a), inChunk[0] ?? { span: chunk, i: -1 });
  if (best.i < 0 || score(best.i) === 0) return { start: chunk.start, end: chunk.end };
  let first = best.i;
  let last = best.i;
  const sentence = doc.text.slice(best.span.start, best.span.end);
  if (first > 0 && (REFERRING.test(sentence) || sentence.length < SHORT_SENTENCE)) first--;
  const next = last + 1;
  const fits = next < spans.length && spans[next]!.end - spans[first]!.start <= MAX_QUOTE_CHARS;
  if (fits && score(next) >= score(best.i) / 2) last = next;
  return { start: spans[first]!.start, end: spans[last]!.end };
}

/** Where the query's content words stand in `text`, for bolding. */
export function highlightRanges(text: string, queryTerms: Set<string>): Array<[number, number]> {
  return allTerms(text)
    .filter((t) => !isStopword(text.slice(t.start, t.end)) && [...queryTerms].some((q) => sameWord(q, t.term)))
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

/**
 * What composing needs from retrieval, in one shape (a `Retrieval` is one): the verdict, the
 * passages to quote, the words to quote around, and how much each word tells (its IDF), so that
 * a quote centres on the rarest of the question's words.
 */
export interface Retrieved {
  answered: boolean;
  hits: Hit[];
  more: Hit[];
  queryTerms: Set<string>;
  idf: (term: string) => number;
  /** The outlet and date the question named, when one of them matched nothing and was dropped. */
  unmatched?: UnmatchedFilters;
}

/** The answer: quoted passages when the evidence is there, an honest refusal otherwise. */
export function composeAnswer(question: string, found: Retrieved): Answer {
  if (!found.answered) return { question, answered: false, passages: [], more: [] };
  const quote = (hit: Hit) => toPassage(hit, found.queryTerms, found.idf);
  const passages = distinctPassages(found.hits.map(quote), true);
  // "More" keeps the same words from another source (who else reported it), never the same source twice.
  const further = distinctPassages([...passages, ...found.more.map(quote)], false).slice(passages.length);
  return { question, answered: true, passages, more: further, ...(found.unmatched && { unmatched: found.unmatched }) };
}

/**
 * The passages without any that repeat one already kept: overlapping chunks of one document can
 * quote the same sentences; with `sameWords`, another file's word-for-word copy counts too.
 */
export function distinctPassages(passages: Passage[], sameWords: boolean): Passage[] {
  const kept: Passage[] = [];
  for (const passage of passages) {
    if (!kept.some((other) => repeats(passage, other, sameWords))) kept.push(passage);
  }
  return kept;
}

const flat = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();

function repeats(a: Passage, b: Passage, sameWords: boolean): boolean {
  const overlap = a.source.id === b.source.id && a.start < b.end && b.start < a.end;
  return overlap || (sameWords && flat(a.text) === flat(b.text));
}
