import { afterAll, describe, expect, it } from 'vitest';
import { corpusLemmas, knownWord, questionFocus } from '../../src/index/focus.js';
import { openWordNet } from '../../src/index/wordnet.js';

const wordnet = openWordNet();
afterAll(() => wordnet.close());

describe('questionFocus', () => {
  it.each([
    ['How deep is the lake?', ['deep']],
    ['How many calories are in a banana?', ['calories']],
    ['What is the population of Canada?', ['population', 'Canada']],
    ['Who is the prime minister of Canada?', ['minister', 'Canada']],
    ['What is the exchange rate of the euro in Ottawa?', ['rate', 'euro']],
    ["What is Canada's GDP?", ['GDP']],
    ["What is Canada's overall strategy in the Arctic?", ['strategy']],
    ['What time is sunrise in Ottawa tomorrow?', ['sunrise']],
  ])('reads the focus of "%s"', (question, focus) => {
    expect(questionFocus(question)).toEqual(focus);
  });

  it('names no focus when the form of the question does not say what is asked', () => {
    expect(questionFocus('Did Canada sign the ceasefire?')).toEqual([]);
    expect(questionFocus('How does Canada see the deal?')).toEqual([]);
    expect(questionFocus('Why did the ambassador resign?')).toEqual([]);
  });
});

describe('knownWord', () => {
  const lemmas = corpusLemmas(['populated', 'provinces', 'prices', 'ambassador'], wordnet);

  it('matches lemmas, not stems: "populated" does not vouch for "population"', () => {
    expect(knownWord('population', lemmas, wordnet)).toBe(false);
    expect(knownWord('populate', lemmas, wordnet)).toBe(true);
  });

  it('matches inflections of the same word', () => {
    expect(knownWord('price', lemmas, wordnet)).toBe(true);
    expect(knownWord('province', lemmas, wordnet)).toBe(true);
    expect(knownWord('Ambassadors', lemmas, wordnet)).toBe(true);
  });
});
