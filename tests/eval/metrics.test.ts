import { describe, expect, it } from 'vitest';
import { firstCorrectRank, isCorrect, score, type QuestionResult } from '../../src/eval/metrics.js';

describe('isCorrect', () => {
  it('matches a gold phrase case-insensitively, with curly quotes and spacing folded', () => {
    expect(isCorrect('Iran’s  ZANGEZUR corridor', ["iran's zangezur corridor"])).toBe(true);
    expect(isCorrect('Lachin', ['Zangezur'])).toBe(false);
  });
});

describe('score', () => {
  const result = (rank: number | null, answered = true, unanswerable = false): QuestionResult => ({
    question: { q: 'q', gold: unanswerable ? [] : ['g'], ...(unanswerable && { unanswerable }) },
    answered,
    rank,
    top: null,
  });

  it('computes R@1, R@3, MRR@10, refusals and false refusals', () => {
    const scores = score([result(1), result(2), result(4), result(null), result(1, false), result(null, false, true), result(null, true, true)]);
    expect(scores).toMatchObject({ answerable: 5, r1: 1 / 5, r3: 2 / 5, unanswerable: 2, refusalsRight: 1, falseRefusals: 1 });
    expect(scores.mrr10).toBeCloseTo((1 + 1 / 2 + 1 / 4) / 5, 12);
    expect(scores.misses).toHaveLength(5);
  });

  it('finds the 1-based rank of the first correct passage', () => {
    expect(firstCorrectRank(['a', 'b gold', 'gold'], ['GOLD'])).toBe(2);
    expect(firstCorrectRank(['a'], ['gold'])).toBeNull();
  });
});
