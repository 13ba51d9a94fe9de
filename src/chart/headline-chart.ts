/** The headline chart as the bot and `npm run chart` both send it: the PNG and its numbers in text. */
import type { Engine, HeadlineQuery } from '../index/types.js';
import { headlineStats, OTHERS, statsLines, type HeadlineStats } from '../index/stats.js';
import { renderStatsPng } from './png.js';

export const CHART_FILE = 'headlines-per-day.png';

export interface HeadlineChart {
  stats: HeadlineStats;
  title: string;
  /** The counts as text: a summary line, then a line per day. */
  lines: string[];
  png: Buffer;
}

/** `Headlines per day · “tariffs” · 2025-03-01 to 2025-03-11`. */
export function chartTitle(filter: HeadlineQuery): string {
  const dates = filter.from && filter.to ? `${filter.from} to ${filter.to}` : filter.from ? `from ${filter.from}` : filter.to ? `until ${filter.to}` : '';
  return ['Headlines per day', filter.query && `“${filter.query}”`, dates].filter(Boolean).join(' · ');
}

/**
 * With a query, the headlines that hold its words (as /timeline finds them); without one, every
 * headline in the date range.
 */
export async function headlineChart(engine: Pick<Engine, 'headlines' | 'timeline'>, filter: HeadlineQuery): Promise<HeadlineChart> {
  const range = { ...(filter.from && { from: filter.from }), ...(filter.to && { to: filter.to }) };
  const sources = filter.query?.trim()
    ? (await engine.timeline({ topic: filter.query, ...range })).days.flatMap((day) => day.passages.map((p) => p.source))
    : await engine.headlines(range);
  const unique = [...new Map(sources.map((s) => [s.id, s])).values()];
  const stats = headlineStats(unique);
  const title = chartTitle(filter);
  return { stats, title, lines: statsLines(stats), png: renderStatsPng(stats, { title, othersLabel: OTHERS }) };
}
