/** Headlines per day, split by the outlets that ran the most of them. Pure. */
import type { Document } from './types.js';

export const TOP_OUTLETS = 5;
export const OTHERS = 'Other outlets';

export interface OutletSeries {
  /** An outlet, or OTHERS for the rest (and for headlines naming no outlet). */
  outlet: string;
  /** Headlines per day, aligned with `days`. */
  counts: number[];
}

export interface HeadlineStats {
  /** The days that have headlines, oldest first (ISO dates). */
  days: string[];
  /** Top outlets by headline count, most first; OTHERS last when there are others. */
  series: OutletSeries[];
  /** Headlines per day. */
  totals: number[];
  /** Dated headlines in all. */
  total: number;
  /** Headlines left out because they have no date. */
  undated: number;
}

/** Counts headlines by day and outlet; articles and undated headlines are left out of the days. */
export function headlineStats(docs: Array<Pick<Document, 'kind' | 'date' | 'outlet'>>, topOutlets = TOP_OUTLETS): HeadlineStats {
  const headlines = docs.filter((d) => d.kind === 'headline');
  const dated = headlines.filter((d): d is typeof d & { date: string } => d.date !== null);
  const days = [...new Set(dated.map((d) => d.date))].sort();
  const perOutlet = new Map<string, number>();
  for (const doc of dated) if (doc.outlet) perOutlet.set(doc.outlet, (perOutlet.get(doc.outlet) ?? 0) + 1);
  const top = [...perOutlet].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, topOutlets).map(([o]) => o);
  const names = dated.some((d) => !d.outlet || !top.includes(d.outlet)) ? [...top, OTHERS] : top;
  const series = names.map((outlet) => ({ outlet, counts: days.map(() => 0) }));
  for (const doc of dated) {
    const name = doc.outlet && top.includes(doc.outlet) ? doc.outlet : OTHERS;
    series[names.indexOf(name)]!.counts[days.indexOf(doc.date)]! += 1;
  }
  const totals = days.map((_, i) => series.reduce((sum, s) => sum + s.counts[i]!, 0));
  return { days, series, totals, total: dated.length, undated: headlines.length - dated.length };
}

/**
 * The chart's numbers as text, for screen readers and for reading without the picture:
 * a summary line, then one line per day, outlets with their counts, most first.
 */
export function statsLines(stats: HeadlineStats): string[] {
  const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
  const head = `${plural(stats.total, 'headline')} on ${plural(stats.days.length, 'day')}` + (stats.undated > 0 ? ` (${stats.undated} undated, not shown).` : '.');
  const lines = stats.days.map((day, i) => {
    const parts = stats.series
      .map((s) => ({ outlet: s.outlet, n: s.counts[i]! }))
      .filter((p) => p.n > 0)
      .sort((a, b) => (a.outlet === OTHERS ? 1 : b.outlet === OTHERS ? -1 : b.n - a.n))
      .map((p) => `${p.outlet} ${p.n}`);
    return `${day}: ${stats.totals[i]} (${parts.join(', ')})`;
  });
  return [head, ...lines];
}
