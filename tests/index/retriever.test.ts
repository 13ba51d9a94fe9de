import { describe, expect, it } from 'vitest';
import { coverage, DEFAULT_SETTINGS, isAnswerable, wordOverlap } from '../../src/index/retriever.js';

const t = DEFAULT_SETTINGS.refusal;

describe('isAnswerable', () => {
  it('refuses below the dense floor whatever the words say', () => {
    expect(isAnswerable({ dense: t.minDense - 0.01, lexical: 1, agree: true }, t)).toBe(false);
  });

  it('answers on enough words, on strong embeddings with some words, or on agreement', () => {
    expect(isAnswerable({ dense: t.minDense, lexical: t.lexical, agree: false }, t)).toBe(true);
    expect(isAnswerable({ dense: t.dense, lexical: t.denseLexical, agree: false }, t)).toBe(true);
    expect(isAnswerable({ dense: t.dense, lexical: t.denseLexical - 0.01, agree: false }, t)).toBe(false);
    expect(isAnswerable({ dense: t.minDense, lexical: t.agreedLexical, agree: true }, t)).toBe(true);
    expect(isAnswerable({ dense: t.minDense, lexical: t.agreedLexical, agree: false }, t)).toBe(false);
  });
});

describe('coverage', () => {
  it('is the IDF-weighted share of query terms present', () => {
    const idf = (term: string) => ({ rare: 3, common: 1 })[term] ?? 2;
    expect(coverage(['rare', 'common', 'absent'], new Set(['common', 'rare']), idf)).toBeCloseTo(4 / 6, 12);
    expect(coverage([], new Set(['x']), idf)).toBe(0);
  });
});

describe('wordOverlap', () => {
  it('is Jaccard overlap with derived words matched', () => {
    expect(wordOverlap(['iran', 'inspector', 'freez'], ['iran', 'inspect', 'site'])).toBeCloseTo(2 / 4, 12);
    expect(wordOverlap([], [])).toBe(0);
  });
});
