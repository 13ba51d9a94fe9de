import { readFile } from 'node:fs/promises';
import { composeAnswer } from '../index/compose.js';
import { DEFAULT_SETTINGS, retrieve, type RetrievalMode, type RetrievalSettings, type Snapshot } from '../index/retriever.js';
import { firstCorrectRank, score, type EvalQuestion, type QuestionResult, type Scores } from './metrics.js';

export const SYSTEMS: Array<{ name: string; mode: RetrievalMode }> = [
  { name: 'Newsdesk (hybrid)', mode: 'hybrid' },
  { name: 'BM25 alone', mode: 'lexical' },
  { name: 'Dense alone', mode: 'dense' },
];

const DEPTH = 10;

export async function readQuestions(path: string): Promise<EvalQuestion[]> {
  const lines = (await readFile(path, 'utf8')).split('\n').filter((line) => line.trim());
  return lines.map((line, i) => {
    const parsed = JSON.parse(line) as EvalQuestion;
    if (typeof parsed.q !== 'string' || !Array.isArray(parsed.gold)) throw new Error(`${path}:${i + 1}: needs "q" and "gold"`);
    return parsed;
  });
}

/** Answers every question the way `ask` does (same retrieval, same quotes) in one mode. */
export async function evaluate(
  snapshot: Snapshot,
  questions: EvalQuestion[],
  mode: RetrievalMode,
  settings: RetrievalSettings = DEFAULT_SETTINGS,
): Promise<Scores & { results: QuestionResult[] }> {
  const idf = (term: string) => snapshot.lexical.idf(term);
  const results: QuestionResult[] = [];
  for (const question of questions) {
    const found = await retrieve(snapshot, question.q, DEPTH, settings, mode);
    const answer = composeAnswer(question.q, found.answered, found.hits, [], found.queryTerms, idf);
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
    return `  - ${m.question.q}  [${what}]${m.top ? `\n      top: ${m.top.slice(0, 110)}` : ''}`;
  })].join('\n');
}
