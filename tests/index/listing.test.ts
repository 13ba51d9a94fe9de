import { describe, expect, it } from 'vitest';
import { dayNumber, patternMiddleDay } from '../../src/index/dates.js';
import { listing, listingOrder } from '../../src/index/listing.js';
import { matchesDate, type ParsedQuery } from '../../src/index/query.js';
import { boostRecent, filterOrKeep, type Ranked } from '../../src/index/fusion.js';
import type { Chunk, Document } from '../../src/index/types.js';

function corpus(docs: Array<[outlet: string | null, date: string | null, chunks: number]>) {
  const documents = docs.map(([outlet, date], i) => ({ id: `d${i}`, kind: 'headline', title: `t${i}`, outlet, date, url: null, text: '', file: 'f', line: 1 }) as unknown as Document);
  const chunks: Chunk[] = docs.flatMap(([, , n], i) => Array.from({ length: n }, (_, j) => ({ id: `d${i}#${j}`, docId: `d${i}`, text: '', start: 0, end: 0 })));
  return { chunks, documents, docById: new Map(documents.map((d) => [d.id, d])) };
}

// Labels: 0,1 X 03-05; 2 Y 03-07; 3 X 03-07; 4 undated; 5,6 Y 03-01; 7 X 03-10.
const small = corpus([['X', '2025-03-05', 2], ['Y', '2025-03-07', 1], ['X', '2025-03-07', 1], [null, null, 1], ['Y', '2025-03-01', 2], ['X', '2025-03-10', 1]]);
const march = (day: number) => ({ year: 2025, month: 3, day });
const labels = (q: Partial<ParsedQuery>) => {
  const { ranked, unmatched } = listing(listingOrder(small), { text: '', recent: false, ...q }, 0.5);
  return { labels: [...ranked].map((r) => r.label), unmatched };
};

describe('listing of a filter-only or "latest" question', () => {
  it('lists "latest" newest date first, label order within a date, undated last', () => {
    expect(labels({ recent: true })).toEqual({ labels: [7, 2, 3, 0, 1, 5, 6, 4], unmatched: undefined });
  });

  it('keeps an outlet\'s chunks newest first, and its chunks on a date', () => {
    expect(labels({ outlet: 'X' })).toEqual({ labels: [7, 3, 0, 1], unmatched: undefined });
    expect(labels({ outlet: 'X', date: march(7) })).toEqual({ labels: [3], unmatched: undefined });
  });

  it('drops a date the outlet has nothing on and lists that outlet\'s nearest dates first', () => {
    expect(labels({ outlet: 'X', date: march(1) })).toEqual({ labels: [0, 1, 3, 7], unmatched: { outlet: 'X', date: march(1) } });
  });

  it('drops an unknown outlet, keeps the date, and reports the outlet unmatched', () => {
    expect(labels({ outlet: 'Z', date: march(7) })).toEqual({ labels: [2, 3], unmatched: { outlet: 'Z', date: march(7) } });
  });

  it('breaks a tie in distance from an empty date newest first', () => {
    expect(labels({ date: march(6) }).labels).toEqual([2, 3, 0, 1, 7, 5, 6, 4]);
  });

  it('lets "latest" lift the newest of the nearest dates above closer older ones', () => {
    expect(labels({ date: march(6), recent: true }).labels).toEqual([2, 3, 7, 0, 1, 5, 6, 4]);
  });
});

/** The listing as it was computed before: every chunk sorted, then filtered, reordered and boosted. */
function reference(c: ReturnType<typeof corpus>, parsed: ParsedQuery, weight: number): { ranked: Ranked[]; relaxed: boolean } {
  const doc = (label: number) => c.docById.get(c.chunks[label]!.docId)!;
  const order = c.chunks.map((_, l) => l).sort((a, b) => (doc(b).date ?? '').localeCompare(doc(a).date ?? '') || a - b);
  let ranked: Ranked[] = order.map((label, i) => ({ label, score: 1 - i / order.length }));
  let relaxed = false;
  const filter = (keep: (label: number) => boolean) => {
    const r = filterOrKeep(ranked, keep);
    ranked = r.list;
    relaxed ||= !r.applied;
  };
  if (parsed.outlet) filter((l) => doc(l).outlet === parsed.outlet);
  if (parsed.date) filter((l) => matchesDate(doc(l).date, parsed.date!));
  if (parsed.date && relaxed) {
    const years = c.documents.map((d) => d.date?.slice(0, 4)).filter((y): y is string => !!y);
    const target = patternMiddleDay(parsed.date, years.length > 0 ? Number(years.reduce((a, b) => (a > b ? a : b))) : 2000);
    const distance = (l: number) => (dayNumber(doc(l).date) === null ? Infinity : Math.abs(dayNumber(doc(l).date)! - target));
    const sorted = [...ranked].sort((a, b) => distance(a.label) - distance(b.label));
    ranked = sorted.map((r, i) => ({ label: r.label, score: 1 - i / sorted.length }));
  }
  if (parsed.recent) ranked = boostRecent(ranked, (l) => dayNumber(doc(l).date), weight);
  return { ranked, relaxed };
}

describe('listing against the sort-everything reference', () => {
  it('gives the same labels, scores and unmatched filters on a random corpus for every kind of filter', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const outlets = ['A', 'B', 'C', null];
    const docs = Array.from({ length: 120 }, () => {
      const day = Math.floor(random() * 40);
      const date = random() < 0.1 ? null : new Date(Date.UTC(2025, 1, 1 + day)).toISOString().slice(0, 10);
      return [outlets[Math.floor(random() * 4)]!, date, 1 + Math.floor(random() * 3)] as [string | null, string | null, number];
    });
    const c = corpus(docs);
    const order = listingOrder(c);
    let checked = 0;
    for (const outlet of [undefined, 'A', 'C', 'Nowhere'])
      for (const date of [undefined, { year: 2025, month: 2 }, { year: 2025, month: 2, day: 10 }, { year: 2025, month: 6, day: 1 }, { month: 1, day: 20 }])
        for (const recent of [false, true]) {
          if (!outlet && !date && !recent) continue;
          const parsed: ParsedQuery = { text: '', recent, ...(outlet && { outlet }), ...(date && { date }) };
          const expected = reference(c, parsed, 0.5);
          const got = listing(order, parsed, 0.5);
          expect([...got.ranked].map((r) => [r.label, r.score])).toEqual(expected.ranked.map((r) => [r.label, r.score]));
          expect(!!got.unmatched).toBe(expected.relaxed);
          checked++;
        }
    expect(checked).toBe(39);
  });
});
