import { describe, expect, it } from 'vitest';
import { buildLexicalIndex } from '../../src/index/lexical.js';
import { contentTerms } from '../../src/index/terms.js';
import type { Chunk, Document } from '../../src/index/types.js';

const texts = ['Iran blocks the Lachin corridor.', 'Iran and Russia hold naval drills.', 'Oil prices rise.'];
const chunks: Chunk[] = texts.map((text, i) => ({ id: `h${i}#0`, docId: `h${i}`, text, start: 0, end: text.length }));
const docs = new Map<string, Document>(
  texts.map((text, i) => [`h${i}`, { id: `h${i}`, kind: 'headline', title: text, outlet: null, date: null, url: null, text, file: 'f', line: i + 1 }]),
);
const index = buildLexicalIndex(chunks, docs);

describe('buildLexicalIndex', () => {
  it('ranks chunks by BM25 over normalized terms', () => {
    expect(index.search("Iran's corridors", 3).map((r) => r.label)).toEqual([0, 1]);
  });

  it('gives each term its BM25 idf from the chunks that hold it, and unseen terms the highest', () => {
    expect(index.idf('iran')).toBeCloseTo(Math.log(1 + 1.5 / 2.5), 12);
    expect(index.idf('lachin')).toBeCloseTo(Math.log(1 + 2.5 / 1.5), 12);
    expect(index.idf('zebra')).toBeCloseTo(Math.log(1 + 3.5 / 0.5), 12);
  });
});
