import { readFile } from 'node:fs/promises';
import { NewsdeskError } from '../errors.js';
import type { Engine } from '../index/types.js';
import { firstCorrectRank, score, type EvalQuestion, type QuestionResult, type Scores } from './metrics.js';

export type SystemMode = 'hybrid' | 'lexical' | 'dense';

export const SYSTEMS: Array<{ name: string; mode: SystemMode }> = [
  { name: 'Newsdesk (hybrid)', mode: 'hybrid' },
  { name: 'BM25 alone', mode: 'lexical' },
  { name: 'Dense alone', mode: 'dense' },
];

const DEPTH = 10;

const isStringList = (value: unknown): value is string[] => Array.isArray(value) && value.every((v) => typeof v === 'string');

/** One line of a questions file, or EVAL_FILE_INVALID naming `file:line` and what is wrong. */
export function parseQuestionLine(line: string, where: string): EvalQuestion {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new NewsdeskError('EVAL_FILE_INVALID', `${where}: not valid JSON (${(error as Error).message}).`);
  }
  const q = parsed as Partial<Record<keyof EvalQuestion, unknown>> | null;
  if (typeof q !== 'object' || q === null || Array.isArray(q) || typeof q.q !== 'string' || !isStringList(q.gold)) {
    throw new NewsdeskError('EVAL_FILE_INVALID', `${where}: needs "q" (a string) and "gold" (a list of strings).`);
  }
  if (q.history !== undefined && !isStringList(q.history)) {
    throw new NewsdeskError('EVAL_FILE_INVALID', `${where}: "history" must be a list of strings, oldest first.`);
  }
  return q as EvalQuestion;
}

/** The questions of a JSONL file; blank lines are skipped, but line numbers stay the file's own. */
export async function readQuestions(path: string): Promise<EvalQuestion[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new NewsdeskError('EVAL_FILE_INVALID', `${path}: ${code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? (error as Error).message})`}.`);
  }
  const questions = text.split('\n').flatMap((line, i) => (line.trim() ? [parseQuestionLine(line, `${path}:${i + 1}`)] : []));
  if (questions.length === 0) throw new NewsdeskError('EVAL_FILE_INVALID', `${path}: has no questions.`);
  return questions;
}

/** What to do with a question's history: follow-up handling, pasting it in front (a baseline), or nothing. */
export type HistoryUse = 'use' | 'paste' | 'ignore';
export const HISTORY_USES: readonly HistoryUse[] = ['use', 'paste', 'ignore'];

/** Answers every question through the engine's ask, which is `answer()` (snapshot.ts), with its history, in one mode. */
export async function evaluate(
  engine: Pick<Engine, 'ask'>,
  questions: EvalQuestion[],
  mode: SystemMode,
  historyUse: HistoryUse = 'use',
): Promise<Scores & { results: QuestionResult[] }> {
  const results: QuestionResult[] = [];
  for (const question of questions) {
    const history = question.history ?? [];
    const text = historyUse === 'paste' ? [...history, question.q].join(' ') : question.q;
    const answer = await engine.ask(text, { k: DEPTH, mode, history: historyUse === 'use' ? history : [] });
    const texts = answer.passages.map((p) => p.text);
    results.push({ question, answered: answer.answered, rank: firstCorrectRank(texts, question.gold), top: texts[0] ?? null });
  }
  return { ...score(results), results };
}

const pct = (x: number) => x.toFixed(2);

export function formatTable(rows: Array<{ name: string; scores: Scores }>): string {
  const header = ['system', 'R@1', 'R@3', 'MRR@10', 'refusals right', 'false refusals'];
  const body = rows.map(({ name, scores: s }) => [name, pct(s.r1), pct(s.r3), pct(s.mrr10), `${s.refusalsRight}/${s.unanswerable}`, String(s.falseRefusals)]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function formatMisses(name: string, results: QuestionResult[]): string {
  const misses = score(results).misses;
  if (misses.length === 0) return `${name}: no misses`;
  return [`${name} misses:`, ...misses.map((m) => {
    const what = m.question.unanswerable ? 'answered an unanswerable question' : !m.answered ? 'refused' : m.rank ? `gold at rank ${m.rank}` : 'gold not in the top 10';
    const history = m.question.history?.length ? `${m.question.history.join(' / ')} / ` : '';
    return `  - ${history}${m.question.q}  [${what}]${m.top ? `\n      top: ${m.top.slice(0, 110)}` : ''}`;
  })].join('\n');
}
