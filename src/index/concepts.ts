import type { Expansion } from './expand.js';
import type { WeightedTerm } from './lexical.js';

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
