/**
 * The operator's report over feedback.jsonl: which questions the corpus refused and which answers
 * users voted down, most frequent first, each with passages quoted from the index (see
 * report-passages.ts). Pure: text in, summary out, summary to text.
 */
import { passageSourceLine } from '../present.js';
import type { Passage } from '../index/types.js';
import type { FeedbackPassage, FeedbackRecord } from './store.js';

export interface ReportPeriod {
  /** Inclusive YYYY-MM-DD bounds on the vote's day (UTC). */
  since?: string | undefined;
  until?: string | undefined;
}

/** A passage of the report: quoted from the index, or only its stored id when the index lacks it. */
export interface ReportPassage {
  chunkId: string;
  score: number;
  /** The passage quoted from the index; absent before `withPassages`, or when `missing`. */
  passage?: Passage;
  /** The index was searched and no longer has this chunk: a re-index since the vote dropped it. */
  missing?: true;
}

export interface ReportGroup {
  question: string;
  votes: number;
  down: number;
  /** The passages the answers showed, first seen first, each once. */
  shown: FeedbackPassage[];
  /** What the report prints under the question; filled in by `withPassages`. */
  passages: ReportPassage[];
}

export interface FeedbackSummary {
  period: ReportPeriod;
  votes: number;
  down: number;
  refused: ReportGroup[];
  downvoted: ReportGroup[];
  skipped: number;
  /** Why passages are ids only, when they are (no index to quote them from). */
  note?: string;
}

/** How many passages each question lists. */
export const REPORT_PASSAGES = 3;

/** The records of `text` (JSON lines) within the period, and how many lines could not be read. */
export function parseFeedback(text: string, period: ReportPeriod): { records: FeedbackRecord[]; skipped: number } {
  const records: FeedbackRecord[] = [];
  let skipped = 0;
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const record = readRecord(line);
    if (!record) skipped++;
    else if (within(record.ts.slice(0, 10), period)) records.push(record);
  }
  return { records, skipped };
}

function readRecord(line: string): FeedbackRecord | null {
  try {
    const r = JSON.parse(line) as FeedbackRecord;
    const ok = typeof r.ts === 'string' && typeof r.question === 'string' && (r.vote === 'up' || r.vote === 'down');
    return ok ? { ...r, answered: r.answered === true, passages: Array.isArray(r.passages) ? r.passages.filter(isStoredPassage) : [] } : null;
  } catch {
    return null;
  }
}

function isStoredPassage(p: unknown): p is FeedbackPassage {
  const q = p as FeedbackPassage | null;
  return typeof q?.chunkId === 'string' && typeof q.sourceId === 'string' && typeof q.score === 'number';
}

function within(day: string, { since, until }: ReportPeriod): boolean {
  return (!since || day >= since) && (!until || day <= until);
}

/** Votes grouped by question (case and spacing ignored), most votes first, then by question. */
export function groupByQuestion(records: FeedbackRecord[]): ReportGroup[] {
  const groups = new Map<string, ReportGroup>();
  for (const r of records) {
    const key = r.question.trim().replace(/\s+/g, ' ').toLowerCase();
    const group = groups.get(key) ?? { question: r.question.trim(), votes: 0, down: 0, shown: [], passages: [] };
    group.votes++;
    if (r.vote === 'down') group.down++;
    for (const p of r.passages) if (!group.shown.some((s) => s.chunkId === p.chunkId)) group.shown.push(p);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.votes - a.votes || a.question.localeCompare(b.question));
}

/**
 * The period's votes: refused questions by votes, answered ones voted 👎 by 👎 votes. Each group's
 * passages are the stored ids of what it showed, until `withPassages` quotes them.
 */
export function summarizeFeedback(text: string, period: ReportPeriod): FeedbackSummary {
  const { records, skipped } = parseFeedback(text, period);
  const ids = (g: ReportGroup): ReportGroup => ({ ...g, passages: g.shown.slice(0, REPORT_PASSAGES).map(({ chunkId, score }) => ({ chunkId, score })) });
  const refused = groupByQuestion(records.filter((r) => !r.answered));
  // Every vote on an answered question counts, so the 👍 beside the 👎 show how split users are.
  const downvoted = groupByQuestion(records.filter((r) => r.answered))
    .filter((g) => g.down > 0)
    .sort((a, b) => b.down - a.down || a.question.localeCompare(b.question));
  const down = records.filter((r) => r.vote === 'down').length;
  return { period, votes: records.length, down, refused: refused.map(ids), downvoted: downvoted.map(ids), skipped };
}

const INDENT = '        ';

function passageLines(p: ReportPassage, n: number): string[] {
  const score = `score ${p.score.toFixed(3)}`;
  if (!p.passage) return [`${INDENT}${n}. ${p.chunkId} · ${score}${p.missing ? ': no longer in the index (re-indexed since the vote)' : ''}`];
  const quote = p.passage.text.replace(/\s+/g, ' ').trim();
  return [`${INDENT}${n}. “${quote}”`, `${INDENT}   — ${passageSourceLine(p.passage)} · ${score}`];
}

function groupLines(group: ReportGroup, count: number): string[] {
  const head = `${String(count).padStart(4)}  ${group.question}  (👎 ${group.down}, 👍 ${group.votes - group.down})`;
  return [head, ...group.passages.flatMap((p, i) => passageLines(p, i + 1))];
}

function periodText({ since, until }: ReportPeriod): string {
  if (since && until) return `from ${since} to ${until}`;
  if (since) return `since ${since}`;
  if (until) return `until ${until}`;
  return 'all time';
}

const section = (lines: string[]) => (lines.length > 0 ? lines : ['   none']);

export function formatReport(s: FeedbackSummary): string {
  const lines = [
    `Feedback ${periodText(s.period)}: ${s.votes} vote${s.votes === 1 ? '' : 's'} (👎 ${s.down}, 👍 ${s.votes - s.down}).`,
    ...(s.note ? [s.note] : []),
    '',
    'Refused questions, by votes, with the nearest passages in the corpus:',
    ...section(s.refused.flatMap((g) => groupLines(g, g.votes))),
    '',
    'Answered questions voted 👎, by 👎 votes, with the passages they showed:',
    ...section(s.downvoted.flatMap((g) => groupLines(g, g.down))),
  ];
  if (s.skipped > 0) lines.push('', `Skipped ${s.skipped} unreadable line${s.skipped === 1 ? '' : 's'}.`);
  return `${lines.join('\n')}\n`;
}
