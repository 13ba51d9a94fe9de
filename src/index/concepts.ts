import type { Expansion } from './expand.js';
import { sortByScore, type Ranked } from './fusion.js';
import type { LexicalIndex, WeightedTerm } from './lexical.js';

/**
 * BM25 by question concept. A concept is one of the question's own words together with the
 * expansions that stand for it ("Tehran" with "Iran"). Summing every term, as a plain OR query
 * does, credits a passage that says both "Tehran" and "Iran" twice for one thing the question
 * asks, and outranks a passage that covers two of the question's concepts once each. Here a
 * concept counts once, at its best-scoring alternative (a disjunction max, as in Lucene's
 * dis_max), and the concepts add up.
 */

/** The question's concepts: each own term (once, in order) first, then the expansions from it. */
export function questionConcepts(ownTerms: readonly string[], expansions: readonly Expansion[]): WeightedTerm[][] {
  const concepts = new Map<string, WeightedTerm[]>();
  for (const term of ownTerms) if (!concepts.has(term)) concepts.set(term, [{ term, weight: 1 }]);
  for (const e of expansions) {
    // An expansion from a word the search text lost (a place spanning words) stands on its own.
    const concept = concepts.get(e.fromTerm) ?? concepts.set(`=${e.term}`, []).get(`=${e.term}`)!;
    concept.push({ term: e.term, weight: e.weight });
  }
  return [...concepts.values()];
}

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
 * each term searched once, alone. The reference the index's own `searchConcepts` is tested against.
 */
export function conceptSearch(lexical: LexicalIndex, concepts: readonly WeightedTerm[][]): Ranked[] {
  const byTerm = new Map<string, Ranked[]>();
  const scoresOf = (term: string) => {
    if (!byTerm.has(term)) byTerm.set(term, lexical.searchTerms([{ term, weight: 1 }], Number.MAX_SAFE_INTEGER));
    return byTerm.get(term)!;
  };
  return conceptScores(concepts, scoresOf);
}
