/**
 * The operator's report over feedback.jsonl: which questions the corpus refused and which answers
 * users voted down, most frequent first, each with the passages it showed. Pure: text in, text out.
 */
import type { FeedbackPassage, FeedbackRecord } from './store.js';

export interface ReportPeriod {
  /** Inclusive YYYY-MM-DD bounds on the vote's day (UTC). */
  since?: string | undefined;
  until?: string | undefined;
}

interface Group {
  question: string;
  votes: number;
  down: number;
  passages: Map<string, FeedbackPassage>;
}

const MAX_PASSAGES = 3;

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
    return ok ? { ...r, answered: r.answered === true, passages: Array.isArray(r.passages) ? r.passages : [] } : null;
  } catch {
    return null;
  }
}

function within(day: string, { since, until }: ReportPeriod): boolean {
  return (!since || day >= since) && (!until || day <= until);
}

/** Votes grouped by question (case and spacing ignored), most votes first, then by question. */
export function groupByQuestion(records: FeedbackRecord[]): Group[] {
  const groups = new Map<string, Group>();
  for (const r of records) {
    const key = r.question.trim().replace(/\s+/g, ' ').toLowerCase();
    const group = groups.get(key) ?? { question: r.question.trim(), votes: 0, down: 0, passages: new Map() };
    group.votes++;
    if (r.vote === 'down') group.down++;
    for (const p of r.passages) if (!group.passages.has(p.chunkId)) group.passages.set(p.chunkId, p);
    groups.set(key, group);
  }
  return [...groups.values()].sort((a, b) => b.votes - a.votes || a.question.localeCompare(b.question));
}

function groupLines(group: Group, withPassages: boolean): string[] {
  const count = withPassages ? group.down : group.votes;
  const head = `${String(count).padStart(4)}  ${group.question}  (👎 ${group.down}, 👍 ${group.votes - group.down})`;
  if (!withPassages) return [head];
  const passages = [...group.passages.values()].slice(0, MAX_PASSAGES);
  return [head, ...passages.map((p, i) => `        ${i + 1}. ${p.sourceId} · ${p.chunkId} · score ${p.score.toFixed(3)}`)];
}

function periodText({ since, until }: ReportPeriod): string {
  if (since && until) return `from ${since} to ${until}`;
  if (since) return `since ${since}`;
  if (until) return `until ${until}`;
  return 'all time';
}

export function feedbackReport(text: string, period: ReportPeriod): string {
  const { records, skipped } = parseFeedback(text, period);
  const refused = groupByQuestion(records.filter((r) => !r.answered));
  // Every vote on an answered question counts, so the 👍 beside the 👎 show how split users are.
  const downvoted = groupByQuestion(records.filter((r) => r.answered))
    .filter((g) => g.down > 0)
    .sort((a, b) => b.down - a.down || a.question.localeCompare(b.question));
  const down = records.filter((r) => r.vote === 'down').length;
  const lines = [
    `Feedback ${periodText(period)}: ${records.length} vote${records.length === 1 ? '' : 's'} (👎 ${down}, 👍 ${records.length - down}).`,
    '',
    'Refused questions, by votes:',
    ...(refused.length > 0 ? refused.flatMap((g) => groupLines(g, false)) : ['   none']),
    '',
    'Answered questions voted 👎, by 👎 votes, with the passages they showed (source · chunk · score):',
    ...(downvoted.length > 0 ? downvoted.flatMap((g) => groupLines(g, true)) : ['   none']),
  ];
  if (skipped > 0) lines.push('', `Skipped ${skipped} unreadable line${skipped === 1 ? '' : 's'}.`);
  return `${lines.join('\n')}\n`;
}
