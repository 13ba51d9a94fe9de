/** Presentation shared by the console and the bot: source lines, highlighting, refusals. */
import { coverageLines } from './index/coverage.js';
import { describeDatePattern } from './index/dates.js';
import type { Answer, Passage, Source, Timeline, UnmatchedFilters } from './index/types.js';

export const NOT_COVERED = "The corpus doesn't cover that: no passage in it answers the question.";

/** `Title · Outlet · 2025-03-07`, leaving out what the source does not have. */
export function sourceLine(source: Source): string {
  return [source.title, source.outlet, source.date].filter(Boolean).join(' · ');
}

/** A headline quoted whole: its title is the quote, so the source line leaves it out. */
export function quotesTitle(passage: Pick<Passage, 'text' | 'source'>): boolean {
  return passage.source.kind === 'headline' && passage.text.trim() === passage.source.title.trim();
}

/** The source line under a quote, without the title when the quote is that title. */
export function passageSourceLine(passage: Pick<Passage, 'text' | 'source'>): string {
  if (!quotesTitle(passage)) return sourceLine(passage.source);
  return sourceLine({ ...passage.source, title: '' }) || 'headline';
}

/** "No Reuters items in February 2025; the nearest are:" for filters that matched nothing. */
export function unmatchedNotice(unmatched: UnmatchedFilters): string {
  const what = unmatched.outlet ? `${unmatched.outlet} items` : 'items';
  const when = unmatched.date ? ` ${describeDatePattern(unmatched.date)}` : '';
  return `No ${what}${when}; the nearest are:`;
}

/** Wraps each highlighted range of the passage in `open`/`close`, merging touching ranges. */
export function highlight(passage: Pick<Passage, 'text' | 'highlights'>, open: string, close: string): string {
  const ranges = mergeRanges(passage.highlights);
  let out = '';
  let at = 0;
  for (const [start, end] of ranges) {
    out += passage.text.slice(at, start) + open + passage.text.slice(start, end) + close;
    at = end;
  }
  return out + passage.text.slice(at);
}

/** Joins ranges separated only by spaces, so "Zangezur corridor" is bolded as one run. */
function mergeRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const [start, end] of sorted) {
    const last = merged.at(-1);
    if (last && start - last[1] <= 1) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

const BOLD = '\x1b[1m';
const RESET = '\x1b[22m';

/** The console's rendering: numbered quotes, each with its source line. */
export function formatAnswerText(answer: Answer, options: { color: boolean }): string {
  const counts = answer.coverage ? `${coverageLines(answer.coverage).join('\n  ')}\n\n` : '';
  if (!answer.answered) return answer.coverage ? `${counts}${NOT_COVERED}` : NOT_COVERED;
  const notice = answer.unmatched ? `${unmatchedNotice(answer.unmatched)}\n\n` : '';
  const quotes = answer.passages.map((passage, i) => formatPassage(passage, i + 1, options));
  return counts + notice + quotes.join('\n\n');
}

function formatPassage(passage: Passage, n: number, options: { color: boolean }): string {
  const quote = options.color ? highlight(passage, BOLD, RESET) : passage.text;
  const link = passage.source.url ? `\n   ${passage.source.url}` : '';
  return `${n}. “${quote.replace(/\n+/g, ' ')}”\n   — ${passageSourceLine(passage)}${link}`;
}

/**
 * Why a timeline shows a passage that lacks the topic's words: the story it follows, and any name
 * that stood in for the topic's. An empty string for any other passage.
 */
export function followsLine(passage: Pick<Passage, 'follows'>, prefix: string): string {
  const link = passage.follows;
  if (!link) return '';
  const lead = link.text.length > 80 ? `${link.text.slice(0, link.text.lastIndexOf(' ', 80))}…` : link.text;
  const names = link.standIns?.length ? `; ${link.standIns.join(', ')}` : '';
  return `${prefix}(same story as “${lead}”${names})`;
}

/** The console's timeline: a heading per day, oldest first, then the numbered quotes. */
export function formatTimelineText(timeline: Timeline, options: { color: boolean }): string {
  if (timeline.total === 0) return `No passage in the corpus holds “${timeline.topic}”.`;
  let n = 0;
  const days = timeline.days.map((day) => {
    const quotes = day.passages.map((passage) => formatPassage(passage, ++n, options) + followsLine(passage, '\n   '));
    return `${day.date ?? 'Undated'}\n\n${quotes.join('\n\n')}`;
  });
  return `Timeline of “${timeline.topic}”: ${timeline.total} passage${timeline.total === 1 ? '' : 's'}, oldest first.\n\n${days.join('\n\n')}`;
}
