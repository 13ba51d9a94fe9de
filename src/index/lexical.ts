import { isStopword, normalizeTerm, WORD } from './terms.js';
import type { Chunk, Document } from './types.js';

/** BM25 over the chunks. Labels are chunk positions, as in the vector store. */
export interface LexicalIndex {
  search(query: string, k: number): Array<{ label: number; score: number }>;
  /** BM25 over normalized terms, each term's contribution scaled by its weight (expansions weigh less). */
  searchTerms(terms: WeightedTerm[], k: number): Array<{ label: number; score: number }>;
  /**
   * BM25 by question concept (`concepts.ts`), the k best: per concept the best weighted score of its
   * terms, summed, times the number of concepts matched; ties by ascending label.
   */
  searchConcepts(concepts: readonly WeightedTerm[][], k: number): Array<{ label: number; score: number }>;
  /**
   * A follow-up's BM25 (`weightedSearch` in tests/support/lexical-reference.ts): the question's own scores, by concept when
   * it has them, plus each earlier piece of text's scores times its weight; the k best.
   */
  searchFollowUp(query: FollowUpQuery, context: ReadonlyArray<{ text: string; weight: number }>, k: number): Array<{ label: number; score: number }>;
  /** Inverse document frequency of a normalized term; unseen terms get the highest value. */
  idf(term: string): number;
}

/** A question's terms, and the same grouped by concept when concepts are scored. */
export interface FollowUpQuery {
  terms: WeightedTerm[];
  concepts?: WeightedTerm[][];
}

export interface WeightedTerm {
  term: string;
  weight: number;
}

/*
 * The scoring is MiniSearch 7's, which this index replaced, to the last bit, so that answers did
 * not change: BM25+ with k 1.2, b 0.7, d 0.5, computed per field with the field's own document
 * frequency and average length; a term's score is its text part plus its title part (boost 0.3),
 * times the term's weight; terms add up in query order; the sum is multiplied by the number of
 * distinct query terms the chunk holds; ties keep the order in which chunks were first met.
 * A field's length is its number of distinct raw words (stopwords and case included), and the
 * average is kept as a running mean, updated on every add and remove in the same order.
 */
const K = 1.2;
const B = 0.7;
const D = 0.5;
/** An article's title gives its chunks some context; a headline's title is its text already. */
const FIELD_BOOSTS = [1, 0.3] as const;
const FIELDS = 2;

/** One field's postings: for term number t, slots[offsets[t] .. offsets[t + 1]) in ascending order, with their frequencies. */
export interface FieldPostings {
  offsets: Uint32Array;
  slots: Int32Array;
  freqs: Uint16Array;
  /** Distinct raw words of the field, by slot. */
  lengths: Uint32Array;
  average: number;
}

/**
 * The compact BM25 index: term numbers index `terms`; slots number the chunks in the order they
 * were added (which breaks ties), `labels[slot]` is the chunk's position in the snapshot.
 */
export interface LexicalArrays {
  terms: string[];
  /** [text, title]. */
  fields: FieldPostings[];
  labels: Int32Array;
}

/** Where a chunk's words go: its text, and its article's title. */
export function fieldTexts(chunk: Chunk, doc: Document | undefined): [string, string] {
  return [chunk.text, doc?.kind === 'article' ? doc.title : ''];
}

/** A field as the index counts it: distinct raw words, and each kept term's frequency. */
function analyze(text: string): { length: number; freqs: Map<string, number> } {
  const words = text.match(WORD) ?? [];
  const freqs = new Map<string, number>();
  for (const word of words) {
    if (isStopword(word)) continue;
    const term = normalizeTerm(word);
    if (term) freqs.set(term, (freqs.get(term) ?? 0) + 1);
  }
  return { length: new Set(words).size, freqs };
}

/** Weighted terms as words to search: a multi-word term counts as its words, each with the weight of a term spelled like it (or 1). */
function termsQuery(terms: readonly WeightedTerm[]): { words: string[]; boostOf: (word: string) => number } {
  const weights = new Map<string, number>();
  for (const { term, weight } of terms) weights.set(term, Math.max(weight, weights.get(term) ?? 0));
  const words = terms.flatMap((t) => t.term.split(' ')).filter(Boolean);
  return { words, boostOf: (word) => weights.get(word) ?? 1 };
}

/** The query's terms as the index reads them: its words, without stopwords, normalized. */
function queryTerms(query: string): string[] {
  const terms: string[] = [];
  for (const word of query.match(WORD) ?? []) {
    if (isStopword(word)) continue;
    const term = normalizeTerm(word);
    if (term) terms.push(term);
  }
  return terms;
}

/** A search index over the arrays; scratch space is kept between queries (searches are synchronous). */
export function lexicalIndexOf(arrays: LexicalArrays): LexicalIndex {
  const count = arrays.labels.length;
  const termNumber = new Map<string, number>();
  arrays.terms.forEach((term, i) => termNumber.set(term, i));
  // The length part of BM25's denominator, per field and slot, as MiniSearch computes it.
  const norms = arrays.fields.map((f) => {
    const norm = new Float64Array(count);
    for (let s = 0; s < count; s++) norm[s] = K * (1 - B + (B * f.lengths[s]!) / f.average);
    return norm;
  });
  const scratch = {
    score: new Float64Array(count),
    matched: new Uint16Array(count),
    /** 0: not met in this query; otherwise the order it was first met in. */
    seen: new Int32Array(count),
    termScore: new Float64Array(count),
    termStamp: new Int32Array(count),
    stamp: 0,
    met: new Int32Array(count),
    termMet: new Int32Array(count),
  };
  const text = arrays.fields[0]!;
  const idfOf = (df: number) => Math.log(1 + (count - df + 0.5) / (df + 0.5));

  function run(terms: string[], boostOf: (term: string) => number, k: number): Array<{ label: number; score: number }> {
    const { score, seen, met } = scratch;
    const metCount = accumulate(terms, boostOf);
    const top = topK(met, metCount, k, score, seen);
    for (let i = 0; i < metCount; i++) seen[met[i]!] = 0;
    return top.map((s) => ({ label: arrays.labels[s]!, score: score[s]! }));
  }

  /**
   * Scores every chunk holding one of `terms` into `scratch.score`, by slot, the slots listed in
   * `scratch.met`; returns how many. The caller clears `scratch.seen` of them when done.
   */
  function accumulate(terms: string[], boostOf: (term: string) => number): number {
    const { score, matched, seen, termScore, termStamp, met, termMet } = scratch;
    let metCount = 0;
    const counted = new Set<string>();
    for (const term of terms) {
      const t = termNumber.get(term);
      if (t === undefined) continue;
      const first = !counted.has(term);
      counted.add(term);
      const boost = boostOf(term);
      const stamp = ++scratch.stamp;
      let termCount = 0;
      for (let f = 0; f < FIELDS; f++) {
        const { offsets, slots, freqs } = arrays.fields[f]!;
        const from = offsets[t]!;
        const to = offsets[t + 1]!;
        if (from === to) continue;
        const idf = idfOf(to - from);
        const weight = boost * FIELD_BOOSTS[f]!;
        const norm = norms[f]!;
        for (let p = from; p < to; p++) {
          const s = slots[p]!;
          const tf = freqs[p]!;
          const part = weight * (idf * (D + (tf * (K + 1)) / (tf + norm[s]!)));
          if (termStamp[s] === stamp) termScore[s] = termScore[s]! + part;
          else {
            termStamp[s] = stamp;
            termScore[s] = part;
            termMet[termCount++] = s;
          }
        }
      }
      for (let i = 0; i < termCount; i++) {
        const s = termMet[i]!;
        if (seen[s] === 0) {
          seen[s] = ++metCount;
          met[metCount - 1] = s;
          score[s] = termScore[s]!;
          matched[s] = 1;
        } else {
          score[s] = score[s]! + termScore[s]!;
          if (first) matched[s] = matched[s]! + 1;
        }
      }
    }
    // The sum times the number of distinct query terms the chunk holds, as MiniSearch's "quality".
    for (let i = 0; i < metCount; i++) score[met[i]!] = score[met[i]!]! * matched[met[i]!]!;
    return metCount;
  }

  const concept = {
    best: new Float64Array(count),
    bestStamp: new Int32Array(count),
    bestMet: new Int32Array(count),
    stamp: 0,
    sum: new Float64Array(count),
    matched: new Uint16Array(count),
    sumStamp: new Int32Array(count),
    sumMet: new Int32Array(count),
    query: 0,
    termLabel: new Int32Array(count),
    termValue: new Float64Array(count),
  };

  /**
   * Each chunk holding `term` with the term's unweighted score (what `searchTerms([{ term, weight: 1 }])`
   * gives it), into `concept.termLabel` / `concept.termScore`; returns how many. A one-word term reads
   * its postings directly: the text part, plus the title part, in `run`'s order of operations.
   */
  function termScores(term: string): number {
    const { termLabel, termValue } = concept;
    if (term.includes(' ')) {
      const found = run(term.split(' ').filter(Boolean), () => 1, count);
      found.forEach(({ label, score }, i) => {
        termLabel[i] = label;
        termValue[i] = score;
      });
      return found.length;
    }
    const t = termNumber.get(term);
    if (t === undefined) return 0;
    const { termScore, termStamp, termMet } = scratch;
    const stamp = ++scratch.stamp;
    let termCount = 0;
    for (let f = 0; f < FIELDS; f++) {
      const { offsets, slots, freqs } = arrays.fields[f]!;
      const from = offsets[t]!;
      const to = offsets[t + 1]!;
      if (from === to) continue;
      const idf = idfOf(to - from);
      const weight = FIELD_BOOSTS[f]!;
      const norm = norms[f]!;
      for (let p = from; p < to; p++) {
        const s = slots[p]!;
        const tf = freqs[p]!;
        const part = weight * (idf * (D + (tf * (K + 1)) / (tf + norm[s]!)));
        if (termStamp[s] === stamp) termScore[s] = termScore[s]! + part;
        else {
          termStamp[s] = stamp;
          termScore[s] = part;
          termMet[termCount++] = s;
        }
      }
    }
    const { labels } = arrays;
    for (let i = 0; i < termCount; i++) {
      termLabel[i] = labels[termMet[i]!]!;
      termValue[i] = termScore[termMet[i]!]!;
    }
    return termCount;
  }

  function searchConcepts(concepts: readonly WeightedTerm[][], k: number): Array<{ label: number; score: number }> {
    const { sum, sumMet } = concept;
    const metCount = accumulateConcepts(concepts);
    // Ties by ascending label, as `sortByScore` orders them.
    return topK(sumMet, metCount, k, sum, null).map((label) => ({ label, score: sum[label]! }));
  }

  /** Each label's concept score into `concept.sum`, the labels listed in `concept.sumMet`; returns how many. */
  function accumulateConcepts(concepts: readonly WeightedTerm[][]): number {
    const { best, bestStamp, bestMet, sum, matched, sumStamp, sumMet, termLabel, termValue } = concept;
    const query = ++concept.query;
    let metCount = 0;
    for (const alternatives of concepts) {
      const stamp = ++concept.stamp;
      let bestCount = 0;
      for (const { term, weight } of alternatives) {
        const n = termScores(term);
        for (let i = 0; i < n; i++) {
          const label = termLabel[i]!;
          const weighted = weight * termValue[i]!;
          if (bestStamp[label] === stamp) best[label] = Math.max(best[label]!, weighted);
          else {
            bestStamp[label] = stamp;
            best[label] = Math.max(0, weighted);
            bestMet[bestCount++] = label;
          }
        }
      }
      for (let i = 0; i < bestCount; i++) {
        const label = bestMet[i]!;
        if (sumStamp[label] === query) {
          sum[label] = sum[label]! + best[label]!;
          matched[label] = matched[label]! + 1;
        } else {
          sumStamp[label] = query;
          sum[label] = best[label]!;
          matched[label] = 1;
          sumMet[metCount++] = label;
        }
      }
    }
    for (let i = 0; i < metCount; i++) sum[sumMet[i]!] = sum[sumMet[i]!]! * matched[sumMet[i]!]!;
    return metCount;
  }

  const followUp = { total: new Float64Array(count), stamp: new Int32Array(count), met: new Int32Array(count), query: 0 };

  /**
   * `weightedSearch` (tests/support/lexical-reference.ts) over this index, summed in its order: the question's own scores
   * (by concept, or its terms), then each earlier piece's times its weight; the k best, ties by label.
   * Every matching chunk is added up, but none is listed, sorted or put in a map on the way.
   */
  function searchFollowUp(query: FollowUpQuery, context: ReadonlyArray<{ text: string; weight: number }>, k: number): Array<{ label: number; score: number }> {
    if (context.length === 0) return query.concepts ? searchConcepts(query.concepts, k) : searchTerms(query.terms, k);
    const { total, stamp, met } = followUp;
    const now = ++followUp.query;
    let metCount = 0;
    const add = (label: number, value: number) => {
      if (stamp[label] === now) total[label] = total[label]! + value;
      else {
        stamp[label] = now;
        total[label] = 0 + value;
        met[metCount++] = label;
      }
    };
    if (query.concepts) {
      const { sum, sumMet } = concept;
      const n = accumulateConcepts(query.concepts);
      for (let i = 0; i < n; i++) add(sumMet[i]!, 1 * sum[sumMet[i]!]!);
    } else addScores(termsQuery(query.terms), 1, add);
    for (const { text, weight } of context) addScores({ words: queryTerms(text), boostOf: () => 1 }, weight, add);
    return topK(met, metCount, k, total, null).map((label) => ({ label, score: total[label]! }));
  }

  /** `add(label, weight × score)` for each chunk the words score, in the order they were met. */
  function addScores(query: { words: string[]; boostOf: (word: string) => number }, weight: number, add: (label: number, value: number) => void): void {
    const { score, seen, met } = scratch;
    const n = accumulate(query.words, query.boostOf);
    for (let i = 0; i < n; i++) add(arrays.labels[met[i]!]!, weight * score[met[i]!]!);
    for (let i = 0; i < n; i++) seen[met[i]!] = 0;
  }

  function searchTerms(terms: WeightedTerm[], k: number): Array<{ label: number; score: number }> {
    const { words, boostOf } = termsQuery(terms);
    return run(words, boostOf, k);
  }

  return {
    search: (query, k) => run(queryTerms(query), () => 1, k),
    searchConcepts,
    searchTerms,
    searchFollowUp,
    idf(term) {
      const t = termNumber.get(term);
      return idfOf(t === undefined ? 0 : text.offsets[t + 1]! - text.offsets[t]!);
    },
  };
}

/**
 * The k best of `items[0 .. n)` by value, highest first, ties by ascending order (or item): a bounded
 * min-heap, so a query that meets most of the corpus costs n log k, not a sort of n.
 */
function topK(items: Int32Array, n: number, k: number, value: Float64Array, order: Int32Array | null): number[] {
  if (k <= 0) return [];
  // a ranks below b: lower value, or the same value met later (null: the greater item).
  const below = order
    ? (a: number, b: number) => value[a]! < value[b]! || (value[a] === value[b] && order[a]! > order[b]!)
    : (a: number, b: number) => value[a]! < value[b]! || (value[a] === value[b] && a > b);
  const byRank = (a: number, b: number) => (below(a, b) ? 1 : below(b, a) ? -1 : 0);
  // Every match asked for (concept scoring reads whole lists): one sort, no heap.
  if (k >= n) return Array.from(items.subarray(0, n)).sort(byRank);
  const heap: number[] = [];
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && below(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && below(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = 0; i < n; i++) {
    const s = items[i]!;
    if (heap.length < k) {
      heap.push(s);
      for (let j = heap.length - 1; j > 0; ) {
        const parent = (j - 1) >> 1;
        if (!below(heap[j]!, heap[parent]!)) break;
        [heap[j], heap[parent]] = [heap[parent]!, heap[j]!];
        j = parent;
      }
    } else if (below(heap[0]!, s)) {
      heap[0] = s;
      down(0);
    }
  }
  return heap.sort(byRank);
}

/** Postings longer than this copy as a block; shorter ones element by element (a view costs more). */
const BLOCK_COPY = 32;

/** A sealed build: its arrays, the number of each term, and each label's label in the previous build (-1: added). */
export interface Sealed {
  arrays: LexicalArrays;
  termNumber: Map<string, number>;
  previousLabels: Int32Array;
}

/** New numbers of the base's terms; -1 for a term whose postings all went and that `listed` lacks. */
function renumberBase(base: LexicalArrays, newSlot: Int32Array, listed: Map<string, number>, numberOf: (term: string) => number): Int32Array {
  const kept = (f: FieldPostings, t: number) => {
    for (let p = f.offsets[t]!; p < f.offsets[t + 1]!; p++) if (newSlot[f.slots[p]!]! >= 0) return true;
    return false;
  };
  const numbers = new Int32Array(base.terms.length);
  for (let t = 0; t < numbers.length; t++) {
    const term = base.terms[t]!;
    numbers[t] = listed.get(term) ?? (base.fields.some((f) => kept(f, t)) ? numberOf(term) : -1);
  }
  return numbers;
}

/** A chunk as the writer holds it until the build is sealed. */
interface Added {
  id: string;
  fields: Array<{ length: number; freqs: Map<string, number> }>;
}

/**
 * The BM25 index of a build being written: the previous build's arrays, minus removed chunks,
 * plus added ones. `seal` lays out the arrays of the new build; nothing is copied before.
 */
export class LexicalWriter {
  private readonly removed = new Set<number>();
  private readonly added = new Map<string, Added>();
  private readonly averages: number[];
  private count: number;

  /** Slot of each chunk id in `base`: built on the first look-up by id (a remove), not for adds. */
  private slotById: Map<string, number> | null = null;
  /** Each base label's slot. */
  private readonly slotOfLabel: Int32Array;

  private constructor(
    private readonly base: LexicalArrays | null,
    /** The chunks `base` was saved with, by label. */
    private readonly baseChunks: readonly Chunk[],
  ) {
    this.slotOfLabel = new Int32Array(base ? base.labels.length : 0);
    if (base) for (let slot = 0; slot < base.labels.length; slot++) this.slotOfLabel[base.labels[slot]!] = slot;
    this.averages = base ? base.fields.map((f) => f.average) : [0, 0];
    this.count = base ? base.labels.length : 0;
  }

  static empty(): LexicalWriter {
    return new LexicalWriter(null, []);
  }

  /** `chunks` are the chunks of the build `base` was saved with, by label. */
  static from(base: LexicalArrays, chunks: readonly Chunk[]): LexicalWriter {
    if (chunks.length !== base.labels.length) throw new Error(`lexical index: ${base.labels.length} chunks indexed, ${chunks.length} in the build`);
    return new LexicalWriter(base, chunks);
  }

  private baseSlot(id: string): number | undefined {
    if (!this.slotById) {
      this.slotById = new Map();
      for (let label = 0; label < this.baseChunks.length; label++) this.slotById.set(this.baseChunks[label]!.id, this.slotOfLabel[label]!);
    }
    return this.slotById.get(id);
  }

  add(chunk: Chunk, doc: Document | undefined): void {
    // A chunk added twice over the base is caught by seal, which finds one chunk too many.
    if (this.added.has(chunk.id)) throw new Error(`lexical index: duplicate chunk ${chunk.id}`);
    const fields = fieldTexts(chunk, doc).map(analyze);
    // MiniSearch's running mean, in its order of operations.
    fields.forEach((field, f) => (this.averages[f] = (this.averages[f]! * this.count + field.length) / (this.count + 1)));
    this.count++;
    this.added.set(chunk.id, { id: chunk.id, fields });
  }

  remove(chunk: Chunk): void {
    const lengths = this.lengthsOf(chunk.id);
    if (!lengths) throw new Error(`lexical index: cannot remove ${chunk.id}: it is not in the index`);
    lengths.forEach((length, f) => (this.averages[f] = this.count === 1 ? 0 : (this.averages[f]! * this.count - length) / (this.count - 1)));
    this.count--;
    if (!this.added.delete(chunk.id)) this.removed.add(this.baseSlot(chunk.id)!);
  }

  private lengthsOf(id: string): number[] | null {
    const added = this.added.get(id);
    if (added) return added.fields.map((f) => f.length);
    const slot = this.baseSlot(id);
    if (slot === undefined || this.removed.has(slot)) return null;
    return this.base!.fields.map((f) => f.lengths[slot]!);
  }

  /**
   * The arrays of the new build. `chunks` are its chunks by label (each one added and not removed);
   * `order` lists terms whose numbers should come first, in that order (the vocabulary).
   */
  seal(chunks: readonly Chunk[], order: readonly string[] = []): Sealed {
    const base = this.base;
    const terms = [...order];
    const termNumber = new Map<string, number>();
    for (let i = 0; i < terms.length; i++) termNumber.set(terms[i]!, i);
    const numberOf = (term: string) => {
      let t = termNumber.get(term);
      if (t === undefined) {
        t = terms.length;
        terms.push(term);
        termNumber.set(term, t);
      }
      return t;
    };
    const baseCount = base ? base.labels.length : 0;
    const newSlot = new Int32Array(baseCount);
    let kept = 0;
    for (let s = 0; s < baseCount; s++) newSlot[s] = this.removed.has(s) ? -1 : kept++;
    const added = [...this.added.values()];
    if (chunks.length !== kept + added.length) throw new Error(`lexical index: ${kept + added.length} chunks indexed, ${chunks.length} in the build`);
    const baseTermNumber = base ? renumberBase(base, newSlot, termNumber, numberOf) : new Int32Array(0);
    for (const a of added) for (const field of a.fields) for (const term of field.freqs.keys()) numberOf(term);
    const fields = [0, 1].map((f) => this.sealField(f, terms.length, baseTermNumber, newSlot, kept, added, numberOf));
    const { labels, previousLabels } = this.labelSlots(chunks, newSlot, kept, added);
    return { arrays: { terms, fields, labels }, termNumber, previousLabels };
  }

  /**
   * Each new slot's label, and each label's label in the base (-1 for an added chunk). Kept chunks
   * usually keep their order, so the base is walked alongside; an id out of that order is looked up.
   */
  private labelSlots(chunks: readonly Chunk[], newSlot: Int32Array, kept: number, added: Added[]) {
    const addedSlot = new Map(added.map((a, i) => [a.id, kept + i]));
    const labels = new Int32Array(chunks.length).fill(-1);
    const previousLabels = new Int32Array(chunks.length).fill(-1);
    const { slotOfLabel, baseChunks } = this;
    let next = 0;
    for (let label = 0; label < chunks.length; label++) {
      const id = chunks[label]!.id;
      let slot = addedSlot.get(id);
      if (slot === undefined) {
        while (next < baseChunks.length && newSlot[slotOfLabel[next]!]! < 0) next++;
        let old: number | undefined;
        if (next < baseChunks.length && baseChunks[next]!.id === id) old = slotOfLabel[next++]!;
        else old = this.baseSlot(id);
        if (old === undefined || newSlot[old]! < 0) throw new Error(`lexical index: chunk ${id} is not in the index`);
        slot = newSlot[old]!;
        previousLabels[label] = this.base!.labels[old]!;
      }
      if (labels[slot]! >= 0) throw new Error(`lexical index: chunk ${id} is twice in the build`);
      labels[slot] = label;
    }
    return { labels, previousLabels };
  }

  private sealField(f: number, termCount: number, baseTermNumber: Int32Array, newSlot: Int32Array, baseKept: number, added: Added[], numberOf: (term: string) => number): FieldPostings {
    const old = this.base?.fields[f];
    const counts = new Uint32Array(termCount + 1);
    const all = this.removed.size === 0;
    if (old) {
      for (let t = 0; t < baseTermNumber.length; t++) {
        if (all) {
          if (baseTermNumber[t]! >= 0) counts[baseTermNumber[t]!] = counts[baseTermNumber[t]!]! + old.offsets[t + 1]! - old.offsets[t]!;
          continue;
        }
        let kept = 0;
        for (let p = old.offsets[t]!; p < old.offsets[t + 1]!; p++) if (newSlot[old.slots[p]!]! >= 0) kept++;
        if (kept > 0) counts[baseTermNumber[t]!] = counts[baseTermNumber[t]!]! + kept;
      }
    }
    for (const a of added) for (const term of a.fields[f]!.freqs.keys()) counts[numberOf(term)]!++;
    const offsets = new Uint32Array(termCount + 1);
    for (let t = 0; t < termCount; t++) offsets[t + 1] = offsets[t]! + counts[t]!;
    const cursor = offsets.slice(0, termCount);
    const slots = new Int32Array(offsets[termCount]!);
    const freqs = new Uint16Array(offsets[termCount]!);
    const lengths = new Uint32Array(baseKept + added.length);
    if (old) {
      // Kept slots keep their relative order, so each term's postings stay ascending.
      for (let t = 0; t < baseTermNumber.length; t++) {
        const nt = baseTermNumber[t]!;
        if (nt < 0) continue;
        if (all) {
          // Nothing removed: slots keep their numbers, and a term's postings copy as a block.
          const [from, to] = [old.offsets[t]!, old.offsets[t + 1]!];
          if (to - from > BLOCK_COPY) {
            slots.set(old.slots.subarray(from, to), cursor[nt]!);
            freqs.set(old.freqs.subarray(from, to), cursor[nt]!);
            cursor[nt] = cursor[nt]! + to - from;
            continue;
          }
          for (let p = from; p < to; p++) {
            slots[cursor[nt]!] = old.slots[p]!;
            freqs[cursor[nt]!++] = old.freqs[p]!;
          }
          continue;
        }
        for (let p = old.offsets[t]!; p < old.offsets[t + 1]!; p++) {
          const s = newSlot[old.slots[p]!]!;
          if (s < 0) continue;
          slots[cursor[nt]!] = s;
          freqs[cursor[nt]!++] = old.freqs[p]!;
        }
      }
      for (let s = 0; s < newSlot.length; s++) if (newSlot[s]! >= 0) lengths[newSlot[s]!] = old.lengths[s]!;
    }
    added.forEach((a, i) => {
      const slot = baseKept + i;
      lengths[slot] = a.fields[f]!.length;
      for (const [term, tf] of a.fields[f]!.freqs) {
        const nt = numberOf(term);
        slots[cursor[nt]!] = slot;
        freqs[cursor[nt]!++] = tf;
      }
    });
    return { offsets, slots, freqs, lengths, average: this.averages[f]! };
  }
}

/** `chunkTerms[label]` are the chunk's `contentTerms`; the index reads the chunks' own words. */
export function buildLexicalIndex(chunks: readonly Chunk[], documents: Map<string, Document>): LexicalIndex {
  const writer = LexicalWriter.empty();
  for (const chunk of chunks) writer.add(chunk, documents.get(chunk.docId));
  return lexicalIndexOf(writer.seal(chunks).arrays);
}

/** Adds `delta` to the count of each distinct term; a count that reaches 0 goes. */
export function countTerms(counts: Map<string, number>, terms: Iterable<string>, delta: 1 | -1): void {
  for (const term of new Set(terms)) {
    const count = (counts.get(term) ?? 0) + delta;
    if (count > 0) counts.set(term, count);
    else counts.delete(term);
  }
}
