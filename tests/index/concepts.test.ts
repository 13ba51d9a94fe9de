import { describe, expect, it } from 'vitest';
import { questionConcepts } from '../../src/index/concepts.js';
import { conceptScores } from '../support/lexical-reference.js';
import type { Expansion } from '../../src/index/expand.js';
import type { Ranked } from '../../src/index/fusion.js';

const expansion = (from: string, term: string, weight: number): Expansion => ({ term, from, fromTerm: from, via: term, source: 'place', weight });

describe('questionConcepts', () => {
  it('groups each own term (once) with the expansions from it; an expansion from no own term stands alone', () => {
    const concepts = questionConcepts(['ottawa', 'ti', 'ottawa'], [expansion('ottawa', 'canada', 0.8), expansion('copenhagen', 'denmark', 0.8)]);
    expect(concepts).toEqual([
      [{ term: 'ottawa', weight: 1 }, { term: 'canada', weight: 0.8 }],
      [{ term: 'ti', weight: 1 }],
      [{ term: 'denmark', weight: 0.8 }],
    ]);
  });
});

describe('conceptScores', () => {
  // Label 0 says the capital and the country (one concept twice) and "ties"; label 1 says the
  // country and the other country: two concepts, each through an expansion.
  const concepts = [
    [{ term: 'ottawa', weight: 1 }, { term: 'canada', weight: 0.5 }],
    [{ term: 'ti', weight: 1 }],
    [{ term: 'copenhagen', weight: 1 }, { term: 'denmark', weight: 0.5 }],
  ];
  const scores: Record<string, Ranked[]> = {
    ottawa: [{ label: 0, score: 4 }],
    canada: [{ label: 0, score: 2 }, { label: 1, score: 2 }],
    ti: [{ label: 0, score: 2 }],
    denmark: [{ label: 1, score: 12 }],
  };
  const scoresOf = (term: string) => scores[term] ?? [];

  it('counts a concept once, at its best weighted term, and multiplies the sum by the concepts matched', () => {
    // Label 0: max(4, 0.5 × 2) + 2 = 6, two concepts: 12. Label 1: 0.5 × 2 + 0.5 × 12 = 7, two: 14.
    // Summing every term (MiniSearch's OR) would give label 0 (4 + 1 + 2) × 3 = 21 and rank it first.
    expect(conceptScores(concepts, scoresOf)).toEqual([{ label: 1, score: 14 }, { label: 0, score: 12 }]);
  });

  it('gives nothing for concepts no label has', () => {
    expect(conceptScores([[{ term: 'zzz', weight: 1 }]], scoresOf)).toEqual([]);
    expect(conceptScores([], scoresOf)).toEqual([]);
  });
});
