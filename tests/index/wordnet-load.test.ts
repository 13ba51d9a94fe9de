import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { openWordNet } from '../../src/index/wordnet.js';

const WORDS = ['agreement', 'limits', 'militarily', 'talks', 'running'];

describe('WordNet with its index files prefetched', () => {
  it('answers as one that reads them on first use, asked before and after the prefetch lands', async () => {
    const plain = openWordNet();
    const early = openWordNet(undefined, { prefetch: true });
    const late = openWordNet(undefined, { prefetch: true });
    const expected = WORDS.map((word) => [plain.lemmas(word), plain.related(word, 1)]);
    expect(WORDS.map((word) => [early.lemmas(word), early.related(word, 1)])).toEqual(expected);
    await sleep(200);
    expect(WORDS.map((word) => [late.lemmas(word), late.related(word, 1)])).toEqual(expected);
    expect(expected.flat(2).length).toBeGreaterThan(WORDS.length * 2);
    for (const wordnet of [plain, early, late]) wordnet.close();
  });
});
