import { describe, expect, it } from 'vitest';
import { boostRecent, extent, minMaxNormalize } from '../../src/index/fusion.js';

// 300k items: spreading them into Math.min / Math.max, as the code once did, throws
// "RangeError: Maximum call stack size exceeded" from about 125k.
const N = 300_000;

describe('scoring over a corpus-sized list (300k chunks)', () => {
  it('boostRecent ranks every label, newest first when scores tie, without overflowing the stack', () => {
    const list = Array.from({ length: N }, (_, label) => ({ label, score: 1 }));
    const boosted = boostRecent(list, (label) => (label === 7 ? null : label % 1000), 0.5);
    expect(boosted.length).toBe(N);
    expect(boosted.slice(0, 2)).toEqual([{ label: 999, score: 1.5 }, { label: 1999, score: 1.5 }]);
    expect(boosted.at(-1)).toEqual({ label: 299_000, score: 1 });
  });

  it('minMaxNormalize scales a 300k list to [0, 1]', () => {
    const normalized = minMaxNormalize(Array.from({ length: N }, (_, label) => ({ label, score: label * 2 })));
    expect([normalized[0], normalized[N - 1], normalized.length]).toEqual([{ label: 0, score: 0 }, { label: N - 1, score: 1 }, N]);
  });

  it('extent is [min, max] by a loop, and [Infinity, -Infinity] for nothing', () => {
    expect(extent(Array.from({ length: N }, (_, i) => (i * 7919) % N))).toEqual([0, N - 1]);
    expect(extent([])).toEqual([Infinity, -Infinity]);
  });
});
