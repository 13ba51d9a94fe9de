import { describe, expect, it } from 'vitest';
import { headlineStats, OTHERS, statsLines } from '../../src/index/stats.js';
import type { Document } from '../../src/index/types.js';

const doc = (kind: Document['kind'], outlet: string | null, date: string | null) => ({ kind, outlet, date });

describe('headlineStats', () => {
  const docs = [
    doc('headline', 'A', '2025-03-02'),
    doc('headline', 'A', '2025-03-01'),
    doc('headline', 'B', '2025-03-01'),
    doc('headline', 'C', '2025-03-02'),
    doc('headline', null, '2025-03-02'),
    doc('headline', 'A', null),
    doc('article', 'A', '2025-03-01'),
  ];

  it('counts dated headlines per day and top outlet; the rest and unnamed go to OTHERS', () => {
    expect(headlineStats(docs, 2)).toEqual({
      days: ['2025-03-01', '2025-03-02'],
      series: [
        { outlet: 'A', counts: [1, 1] },
        { outlet: 'B', counts: [1, 0] },
        { outlet: OTHERS, counts: [0, 2] },
      ],
      totals: [2, 3],
      total: 5,
      undated: 1,
    });
  });

  it('writes the counts as text, outlets most first, others last', () => {
    expect(statsLines(headlineStats(docs, 2))).toEqual([
      '5 headlines on 2 days (1 undated, not shown).',
      '2025-03-01: 2 (A 1, B 1)',
      `2025-03-02: 3 (A 1, ${OTHERS} 2)`,
    ]);
  });

  it('has no OTHERS series when the top outlets are all there is', () => {
    const stats = headlineStats([doc('headline', 'A', '2025-03-01')]);
    expect(stats.series).toEqual([{ outlet: 'A', counts: [1] }]);
    expect(statsLines(stats)).toEqual(['1 headline on 1 day.', '2025-03-01: 1 (A 1)']);
  });
});
