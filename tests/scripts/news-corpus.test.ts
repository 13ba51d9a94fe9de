import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chunkDocuments, DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { readCorpus } from '../../src/index/corpus.js';
import { parseQuery } from '../../src/index/query.js';
import { longDate, newsVocabulary, writeNewsCorpus } from '../../scripts/support/news-corpus.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'newsdesk-synthetic-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('the synthetic news corpus of the scale bench', () => {
  it('parses without a problem into exactly the chunks it promised, articles and clipping headlines both', async () => {
    const corpus = await writeNewsCorpus(join(root, 'a'), 600);
    const read = await readCorpus(corpus.dir);
    const chunks = chunkDocuments(read.documents, DEFAULT_CHUNKING);
    expect(read.problems).toEqual([]);
    expect(chunks.length).toBe(corpus.chunks);
    expect(corpus.chunks).toBeGreaterThanOrEqual(600);
    expect(read.documents.filter((d) => d.kind === 'headline').length).toBe(corpus.headlines);
    expect(new Set(read.documents.map((d) => d.outlet)).size).toBeGreaterThan(20);
  });

  it('is the same corpus for the same seed, byte for byte, and another for another seed', async () => {
    const [a, b, c] = await Promise.all([
      writeNewsCorpus(join(root, 'a'), 300),
      writeNewsCorpus(join(root, 'b'), 300),
      writeNewsCorpus(join(root, 'c'), 300, 10),
    ]);
    const [ha, hb, hc] = await Promise.all([a, b, c].map(async (x) => (await readCorpus(x.dir)).hash));
    expect(ha).toBe(hb);
    expect(hc).not.toBe(ha);
  });

  it('words its filter-only questions so that the engine reads the outlet and the day', async () => {
    const corpus = await writeNewsCorpus(join(root, 'a'), 2000);
    const { outlet, date } = corpus.dated[0]!;
    const parsed = parseQuery(`What did ${outlet} report on ${longDate(date)}?`, corpus.outlets);
    const [y, m, d] = date.split('-').map(Number);
    expect(parsed).toMatchObject({ outlet, date: { year: y, month: m, day: d } });
    expect(newsVocabulary()).toEqual(corpus.words);
  });
});
