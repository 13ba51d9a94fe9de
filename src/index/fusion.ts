/**
 * Pure scoring functions over ranked lists of labels (chunk positions): fusion, boosts, dedup.
 * They take plain numbers so they can be tested, tuned and compared without an index.
 */

export interface Ranked {
  label: number;
  score: number;
}

/** The usual RRF constant: it damps the head of each list so no single ranker dominates. */
export const RRF_K = 60;

/** Reciprocal rank fusion: each list adds weight / (k + rank) to the labels it ranks. */
export function reciprocalRankFusion(lists: Ranked[][], weights: number[] = [], k = RRF_K): Ranked[] {
  const scores = new Map<number, number>();
  lists.forEach((list, i) => {
    const weight = weights[i] ?? 1;
    list.forEach((item, rank) => scores.set(item.label, (scores.get(item.label) ?? 0) + weight / (k + rank + 1)));
  });
  return sortByScore([...scores].map(([label, score]) => ({ label, score })));
}

/** Scales scores to [0, 1] by the list's own minimum and maximum. */
export function minMaxNormalize(list: Ranked[]): Ranked[] {
  if (list.length === 0) return [];
  const [min, max] = extent(list.map((r) => r.score));
  const range = max - min;
  return list.map((r) => ({ label: r.label, score: range > 0 ? (r.score - min) / range : 1 }));
}

/** Weighted sum of min-max normalized scores; a label missing from a list scores 0 there. */
export function weightedFusion(lists: Ranked[][], weights: number[]): Ranked[] {
  const scores = new Map<number, number>();
  lists.forEach((list, i) => {
    for (const item of minMaxNormalize(list)) {
      scores.set(item.label, (scores.get(item.label) ?? 0) + (weights[i] ?? 1) * item.score);
    }
  });
  return sortByScore([...scores].map(([label, score]) => ({ label, score })));
}

/** [min, max] by a loop: spreading a corpus-sized array into Math.min overflows the stack (~125k). */
export function extent(values: number[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const value of values) {
    if (value < min) min = value;
    if (value > max) max = value;
  }
  return [min, max];
}

export function sortByScore(list: Ranked[]): Ranked[] {
  return [...list].sort((a, b) => b.score - a.score || a.label - b.label);
}

/** Keeps the labels that pass; when none do, the filter is ignored rather than answering nothing. */
export function filterOrKeep(list: Ranked[], keep: (label: number) => boolean): { list: Ranked[]; applied: boolean } {
  const kept = list.filter((r) => keep(r.label));
  return kept.length > 0 ? { list: kept, applied: true } : { list, applied: false };
}

/**
 * Adds `weight * freshness` to each score, where freshness runs from 0 (oldest) to 1 (newest)
 * over the dated labels. Undated labels get no boost.
 */
export function boostRecent(list: Ranked[], dayOf: (label: number) => number | null, weight: number): Ranked[] {
  const days = list.map((r) => dayOf(r.label)).filter((d): d is number => d !== null);
  if (days.length === 0) return list;
  const [first, last] = extent(days);
  const span = last - first || 1;
  const top = list[0]?.score ?? 1;
  return sortByScore(list.map((r) => {
    const day = dayOf(r.label);
    return day === null ? r : { label: r.label, score: r.score + weight * top * ((day - first) / span) };
  }));
}

/**
 * Greedy selection that skips near-duplicates: a label whose similarity to an already chosen one
 * reaches `threshold` goes to `duplicates` instead, so the same story from two outlets, or five
 * headlines on one event, do not fill the top. Duplicates stay reachable behind "More".
 */
export function diversify(
  list: Iterable<Ranked>,
  similarity: (a: number, b: number) => number,
  threshold: number,
  limit: number,
  /** Carries on from an earlier call's result, for a list that arrives in pages. */
  into: { selected: Ranked[]; duplicates: Ranked[] } = { selected: [], duplicates: [] },
): { selected: Ranked[]; duplicates: Ranked[] } {
  const { selected, duplicates } = into;
  for (const item of list) {
    if (selected.length >= limit) break;
    const twin = selected.some((chosen) => similarity(chosen.label, item.label) >= threshold);
    (twin ? duplicates : selected).push(item);
  }
  return into;
}
