/**
 * The exhaustive, per-term compositions of BM25 that the lexical index computes in its own
 * arrays (`searchConcepts`, `searchFollowUp` in src/index/lexical.ts): the plain statement of each
 * scoring rule, which tests/index/concept-search.test.ts holds the fast paths equal to.
 */
import { sortByScore, type Ranked } from '../../src/index/fusion.js';
import type { LexicalIndex, WeightedTerm } from '../../src/index/lexical.js';
import type { WeightedText } from '../../src/index/followup.js';

/**
 * Each label's score: per concept the best weighted score among its alternatives, summed, then
 * multiplied by how many concepts it matches (the coordination MiniSearch applies per term).
 * `scoresOf(term)` is a term's unweighted BM25 for every label that has it.
 */
export function conceptScores(concepts: readonly WeightedTerm[][], scoresOf: (term: string) => readonly Ranked[]): Ranked[] {
  const totals = new Map<number, { sum: number; matched: number }>();
  for (const alternatives of concepts) {
    const best = new Map<number, number>();
    for (const { term, weight } of alternatives) {
      for (const { label, score } of scoresOf(term)) best.set(label, Math.max(best.get(label) ?? 0, weight * score));
    }
    for (const [label, score] of best) {
      const total = totals.get(label) ?? { sum: 0, matched: 0 };
      totals.set(label, { sum: total.sum + score, matched: total.matched + 1 });
    }
  }
  return sortByScore([...totals].map(([label, { sum, matched }]) => ({ label, score: sum * matched })));
}

/**
 * BM25 by question concept over a whole lexical index, every matching label: `conceptScores` with
 * each term searched once, alone. The reference src/index/lexical.ts's `searchConcepts` is tested against.
 */
export function conceptSearch(lexical: LexicalIndex, concepts: readonly WeightedTerm[][]): Ranked[] {
  const byTerm = new Map<string, Ranked[]>();
  const scoresOf = (term: string) => {
    if (!byTerm.has(term)) byTerm.set(term, lexical.searchTerms([{ term, weight: 1 }], Number.MAX_SAFE_INTEGER));
    return byTerm.get(term)!;
  };
  return conceptScores(concepts, scoresOf);
}

type Scored = Array<{ label: number; score: number }>;

/**
 * BM25 for a follow-up: the question's own scores (`own`, which may weigh expansions of its words)
 * plus each earlier piece's, weighted. The in-process index sums the same way over its own arrays
 * (`searchFollowUp` in src/index/lexical.ts, tested equal to this).
 */
export function weightedSearch(
  own: (k: number) => Scored,
  search: (text: string, k: number) => Scored,
  context: WeightedText[],
  k: number,
): Scored {
  if (context.length === 0) return own(k);
  const scores = new Map<number, number>();
  const add = (results: Scored, weight: number) => {
    for (const r of results) scores.set(r.label, (scores.get(r.label) ?? 0) + weight * r.score);
  };
  add(own(Number.MAX_SAFE_INTEGER), 1);
  for (const { text, weight } of context) add(search(text, Number.MAX_SAFE_INTEGER), weight);
  return [...scores].map(([label, score]) => ({ label, score })).sort((a, b) => b.score - a.score || a.label - b.label).slice(0, k);
}
