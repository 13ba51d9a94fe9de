import { describe, expect, it } from 'vitest';
import { chunkDocument, chunkDocuments, sentences } from '../../src/index/chunk.js';
import { parseFile } from '../../src/index/corpus.js';
import type { Document } from '../../src/index/types.js';
import { readFile } from 'node:fs/promises';
import { SEED_FILE } from '../support/seed.js';

function article(text: string): Document {
  return { id: 'a1', kind: 'article', title: 'T', outlet: null, date: null, url: null, text, file: 'f', line: 1 };
}

describe('sentences', () => {
  it('does not split after abbreviations like Mr. and Gen.', () => {
    const text = 'Mr. Smith met Gen. Bagheri. They talked.';
    expect(sentences(text).map((s) => text.slice(s.start, s.end))).toEqual(['Mr. Smith met Gen. Bagheri.', 'They talked.']);
  });
});

describe('chunkDocument', () => {
  const text = 'One two three. Four five six.\nSeven eight nine. Ten eleven twelve. Thirteen.';

  it('groups whole sentences up to the target size, never across paragraphs, with exact offsets', () => {
    const chunks = chunkDocument(article(text), { targetChars: 40, overlapChars: 0 });
    expect(chunks.map((c) => [c.id, c.text, c.start, c.end])).toEqual([
      ['a1#0', 'One two three. Four five six.', 0, 29],
      ['a1#1', 'Seven eight nine. Ten eleven twelve.', 30, 66],
      ['a1#2', 'Thirteen.', 67, 76],
    ]);
    for (const c of chunks) expect(text.slice(c.start, c.end)).toBe(c.text);
  });

  it('repeats trailing sentences that fit in the overlap', () => {
    const chunks = chunkDocument(article(text), { targetChars: 40, overlapChars: 20 });
    expect(chunks.map((c) => c.text)).toEqual(['One two three. Four five six.', 'Seven eight nine. Ten eleven twelve.', 'Ten eleven twelve. Thirteen.']);
  });

  it('keeps a sentence longer than the target whole', () => {
    const long = 'A very long sentence that goes well past the target size of the chunker. Short.';
    expect(chunkDocument(article(long), { targetChars: 20, overlapChars: 0 }).map((c) => c.text)).toEqual([
      'A very long sentence that goes well past the target size of the chunker.',
      'Short.',
    ]);
  });

  it('never splits a headline, however long', () => {
    const headline: Document = { ...article('A headline. With two sentences that run long past the target.'), kind: 'headline', id: 'h1' };
    expect(chunkDocument(headline, { targetChars: 10, overlapChars: 0 })).toEqual([
      { id: 'h1#0', docId: 'h1', text: headline.text, start: 0, end: headline.text.length },
    ]);
  });

  it('chunks the seed so that every chunk is the exact slice of its document', async () => {
    const { documents } = parseFile('seed.txt', await readFile(SEED_FILE, 'utf8'));
    const chunks = chunkDocuments(documents);
    const byId = new Map(documents.map((d) => [d.id, d]));
    expect(chunks.filter((c) => byId.get(c.docId)!.kind === 'headline')).toHaveLength(80);
    for (const c of chunks) expect(byId.get(c.docId)!.text.slice(c.start, c.end)).toBe(c.text);
  });
});
