/** Retrieval metrics over ranked passage texts: pure, for the eval command and its test. */

export interface EvalQuestion {
  q: string;
  gold: string[];
  unanswerable?: boolean;
  /** Earlier questions of the same conversation, oldest first (followups.jsonl). */
  history?: string[];
}

/** Case, curly quotes and spacing do not decide whether a passage holds a gold phrase. */
function fold(text: string): string {
  return text.toLowerCase().replace(/[‘’]/g, "'").replace(/[“”]/g, '"').replace(/\s+/g, ' ');
}

export function isCorrect(text: string, gold: string[]): boolean {
  const folded = fold(text);
  return gold.some((phrase) => folded.includes(fold(phrase)));
}

/** 1-based rank of the first correct passage, or null when none of them is. */
export function firstCorrectRank(texts: string[], gold: string[]): number | null {
  const index = texts.findIndex((text) => isCorrect(text, gold));
  return index < 0 ? null : index + 1;
}

export interface QuestionResult {
  question: EvalQuestion;
  answered: boolean;
  rank: number | null;
  top: string | null;
}

export interface Scores {
  answerable: number;
  r1: number;
  r3: number;
  mrr10: number;
  unanswerable: number;
  refusalsRight: number;
  falseRefusals: number;
  misses: QuestionResult[];
}

/**
 * R@k and MRR@10 count a refused answerable question as a miss. Refusal accuracy is the share of
 * unanswerable questions refused; a false refusal is an answerable question refused.
 */
export function score(results: QuestionResult[]): Scores {
  const answerable = results.filter((r) => !r.question.unanswerable);
  const unanswerable = results.filter((r) => r.question.unanswerable);
  const rankOf = (r: QuestionResult) => (r.answered ? r.rank : null);
  const share = (n: number) => (answerable.length ? n / answerable.length : 0);
  return {
    answerable: answerable.length,
    r1: share(answerable.filter((r) => rankOf(r) === 1).length),
    r3: share(answerable.filter((r) => (rankOf(r) ?? 99) <= 3).length),
    mrr10: share(answerable.reduce((sum, r) => sum + ((rankOf(r) ?? 99) <= 10 ? 1 / rankOf(r)! : 0), 0)),
    unanswerable: unanswerable.length,
    refusalsRight: unanswerable.filter((r) => !r.answered).length,
    falseRefusals: answerable.filter((r) => !r.answered).length,
    misses: results.filter((r) => (r.question.unanswerable ? r.answered : rankOf(r) !== 1)),
  };
}
