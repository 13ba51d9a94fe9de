import { describe, expect, it } from 'vitest';
import { composeAnswer, highlightRanges, pickQuote } from '../../src/index/compose.js';
import type { Chunk, Document } from '../../src/index/types.js';

const text = 'Iran has been forced to show its teeth. Its forces have been stationed at the border. Tehran is not planning action.\nA second paragraph about oil.';
const doc: Document = { id: 'a1', kind: 'article', title: 'T', outlet: 'O', date: null, url: null, text, file: 'f', line: 1 };
const idf = () => 1;
const chunk = (start: number, end: number): Chunk => ({ id: 'a1#0', docId: 'a1', text: text.slice(start, end), start, end });

describe('pickQuote', () => {
  it('quotes the best sentence with the one before it when it opens with a pronoun', () => {
    const span = pickQuote(doc, chunk(40, 85), new Set(['forc', 'station', 'border']), idf);
    expect(text.slice(span.start, span.end)).toBe('Iran has been forced to show its teeth. Its forces have been stationed at the border.');
  });

  it('adds the next sentence when it holds query terms too, and stays inside the paragraph', () => {
    const span = pickQuote(doc, chunk(0, 39), new Set(['teeth', 'tehran']), idf);
    expect(text.slice(span.start, span.end)).toBe('Iran has been forced to show its teeth.');
    const wide = pickQuote(doc, chunk(40, 116), new Set(['station', 'tehran', 'plan']), idf);
    expect(text.slice(wide.start, wide.end)).toBe('Its forces have been stationed at the border. Tehran is not planning action.');
  });

  it('quotes the whole chunk when no sentence holds a query term', () => {
    expect(pickQuote(doc, chunk(117, 146), new Set(['zebra']), idf)).toEqual({ start: 117, end: 146 });
  });
});

describe('highlightRanges', () => {
  it('marks query words, however inflected, and never stopwords', () => {
    expect(highlightRanges('The Lachin corridors were blocked', new Set(['lachin', 'corridor', 'block', 'the']))).toEqual([[4, 10], [11, 20], [26, 33]]);
  });
});

describe('composeAnswer', () => {
  it('attaches no passages and no unmatched filters to a refusal', () => {
    expect(composeAnswer('q', { answered: false, hits: [{ chunk: chunk(0, 39), doc, score: 1 }], more: [], queryTerms: new Set(), idf, unmatched: { outlet: 'Reuters' } })).toEqual({ question: 'q', answered: false, passages: [], more: [] });
  });

  it('never shows the same text twice: a passage overlapping a shown one of the same document is dropped, from More too', () => {
    const terms = new Set(['station', 'border']);
    const first = { chunk: chunk(0, 85), doc, score: 1 };
    const overlapping = { chunk: { ...chunk(40, 116), id: 'a1#1' }, doc, score: 0.9 };
    const other = { chunk: { ...chunk(117, 146), id: 'a1#2' }, doc, score: 0.5 };
    const answer = composeAnswer('q', { answered: true, hits: [first, overlapping], more: [overlapping, other], queryTerms: terms, idf });
    expect(answer.passages.map((p) => p.text)).toEqual(['Iran has been forced to show its teeth. Its forces have been stationed at the border.']);
    expect(answer.more.map((p) => p.text)).toEqual(['A second paragraph about oil.']);
  });

  it('drops a passage whose text another document already gave word for word', () => {
    const copy: Document = { ...doc, id: 'a2', outlet: 'Other' };
    const answer = composeAnswer('q', { answered: true, hits: [{ chunk: chunk(0, 39), doc, score: 1 }, { chunk: { ...chunk(0, 39), docId: 'a2' }, doc: copy, score: 1 }], more: [], queryTerms: new Set(['teeth']), idf });
    expect(answer.passages.map((p) => p.source.id)).toEqual(['a1']);
  });

  it('says which filter matched nothing on an answer, and leaves the field out when every filter matched', () => {
    const hit = { chunk: chunk(0, 39), doc, score: 1 };
    const found = { answered: true, hits: [hit], more: [], queryTerms: new Set(['teeth']), idf };
    expect(composeAnswer('q', { ...found, unmatched: { outlet: 'Reuters', date: { year: 2025, month: 3, day: 7 } } }).unmatched).toEqual({ outlet: 'Reuters', date: { year: 2025, month: 3, day: 7 } });
    expect('unmatched' in composeAnswer('q', found)).toBe(false);
  });
});
