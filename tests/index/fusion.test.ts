import { describe, expect, it } from 'vitest';
import { boostRecent, diversify, filterOrKeep, minMaxNormalize, reciprocalRankFusion, weightedFusion } from '../../src/index/fusion.js';

const list = (...labels: number[]) => labels.map((label, i) => ({ label, score: 10 - i }));

describe('reciprocalRankFusion', () => {
  it('sums weight / (k + rank) over the lists', () => {
    const fused = reciprocalRankFusion([list(1, 2), list(2, 3)], [1, 1], 60);
    expect(fused.map((r) => r.label)).toEqual([2, 1, 3]);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 12);
    expect(fused[1]!.score).toBeCloseTo(1 / 61, 12);
  });

  it('lets a weight favour one list', () => {
    expect(reciprocalRankFusion([list(1), list(2)], [1, 2]).map((r) => r.label)).toEqual([2, 1]);
  });
});

describe('weightedFusion', () => {
  it('adds weighted min-max normalized scores', () => {
    const fused = weightedFusion([[{ label: 1, score: 0.9 }, { label: 2, score: 0.5 }], [{ label: 2, score: 8 }, { label: 3, score: 4 }]], [0.6, 0.4]);
    expect(fused).toEqual([{ label: 1, score: 0.6 }, { label: 2, score: 0.4 }, { label: 3, score: 0 }]);
  });

  it('normalizes a single-score list to 1', () => {
    expect(minMaxNormalize([{ label: 4, score: 3 }])).toEqual([{ label: 4, score: 1 }]);
  });
});

describe('filterOrKeep', () => {
  it('filters, and ignores a filter that would leave nothing', () => {
    expect(filterOrKeep(list(1, 2, 3), (l) => l !== 2)).toEqual({ list: [{ label: 1, score: 10 }, { label: 3, score: 8 }], applied: true });
    expect(filterOrKeep(list(1), () => false)).toEqual({ list: [{ label: 1, score: 10 }], applied: false });
  });
});

describe('boostRecent', () => {
  it('lifts newer labels by a share of the top score and leaves undated ones alone', () => {
    const days: Record<number, number | null> = { 1: 100, 2: 110, 3: null };
    const boosted = boostRecent([{ label: 1, score: 1 }, { label: 2, score: 0.8 }, { label: 3, score: 0.9 }], (l) => days[l]!, 0.5);
    expect(boosted).toEqual([{ label: 2, score: 1.3 }, { label: 1, score: 1 }, { label: 3, score: 0.9 }]);
  });
});

describe('diversify', () => {
  it('moves near-duplicates of chosen labels aside and stops at the limit', () => {
    const same = (a: number, b: number) => (Math.floor(a / 10) === Math.floor(b / 10) ? 0.95 : 0.1);
    const { selected, duplicates } = diversify(list(10, 11, 20, 12, 30, 40), same, 0.9, 3);
    expect(selected.map((r) => r.label)).toEqual([10, 20, 30]);
    expect(duplicates.map((r) => r.label)).toEqual([11, 12]);
  });
});
