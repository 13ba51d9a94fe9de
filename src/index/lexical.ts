import MiniSearch, { type Options } from 'minisearch';
import { isStopword, normalizeTerm, WORD } from './terms.js';
import type { Chunk, Document } from './types.js';

/** BM25 over the chunks, through MiniSearch. Labels are chunk positions, as in the vector store. */
export interface LexicalIndex {
  search(query: string, k: number): Array<{ label: number; score: number }>;
  /** BM25 over normalized terms, each term's contribution scaled by its weight (expansions weigh less). */
  searchTerms(terms: WeightedTerm[], k: number): Array<{ label: number; score: number }>;
  /** Inverse document frequency of a normalized term; unseen terms get the highest value. */
  idf(term: string): number;
}

export interface WeightedTerm {
  term: string;
  weight: number;
}

/** What MiniSearch indexes per chunk. Keyed by chunk id, so a build can update it in place. */
interface Row {
  id: string;
  text: string;
  title: string;
}

/*
 * No stored fields: fusion reads only ids and scores. Field lengths are MiniSearch's own (distinct
 * raw words), which is why chunks are indexed from their text and not from their cached terms.
 */
const OPTIONS: Options<Row> = {
  idField: 'id',
  fields: ['text', 'title'],
  tokenize: (text) => text.match(WORD) ?? [],
  processTerm: (word) => (isStopword(word) ? null : normalizeTerm(word)),
  // An article's title gives its chunks some context; a headline's title is its text already.
  searchOptions: { boost: { text: 1, title: 0.3 }, combineWith: 'OR' },
};

function rowOf(chunk: Chunk, doc: Document | undefined): Row {
  return { id: chunk.id, text: chunk.text, title: doc?.kind === 'article' ? doc.title : '' };
}

function lexicalIndex(search: MiniSearch<Row>, labelOf: ReadonlyMap<string, number>, frequency: ReadonlyMap<string, number>, total: number): LexicalIndex {
  const labelled = (found: Array<{ id: unknown; score: number }>, k: number) =>
    found.slice(0, k).map((r) => ({ label: labelOf.get(r.id as string)!, score: r.score }));
  return {
    search: (query, k) => labelled(search.search(query), k),
    searchTerms(terms, k) {
      const weights = new Map<string, number>();
      for (const { term, weight } of terms) weights.set(term, Math.max(weight, weights.get(term) ?? 0));
      // The terms are normalized already: MiniSearch must not stem them a second time.
      const found = search.search(terms.map((t) => t.term).join(' '), {
        tokenize: (text) => text.split(' ').filter(Boolean),
        processTerm: (term) => term,
        boostTerm: (term) => weights.get(term) ?? 1,
      });
      return labelled(found, k);
    },
    idf(term) {
      const df = frequency.get(term) ?? 0;
      return Math.log(1 + (total - df + 0.5) / (df + 0.5));
    },
  };
}

/** `chunkTerms[label]` are the chunk's `contentTerms`, which are exactly the terms MiniSearch indexes. */
export function buildLexicalIndex(chunks: Chunk[], chunkTerms: string[][], documents: Map<string, Document>): LexicalIndex {
  const search = new MiniSearch<Row>(OPTIONS);
  search.addAll(chunks.map((chunk) => rowOf(chunk, documents.get(chunk.docId))));
  const frequency = new Map<string, number>();
  for (const terms of chunkTerms) countTerms(frequency, terms, 1);
  return lexicalIndex(search, new Map(chunks.map((chunk, label) => [chunk.id, label])), frequency, chunks.length);
}

/** Adds `delta` to the count of each distinct term; a count that reaches 0 goes. */
export function countTerms(counts: Map<string, number>, terms: Iterable<string>, delta: 1 | -1): void {
  for (const term of new Set(terms)) {
    const count = (counts.get(term) ?? 0) + delta;
    if (count > 0) counts.set(term, count);
    else counts.delete(term);
  }
}

/** The MiniSearch index of a build, from its saved form: parses, rebuilds nothing. */
export function loadMiniSearch(saved: unknown): MiniSearch<Row> {
  return MiniSearch.loadJS(saved as Parameters<typeof MiniSearch.loadJS>[0], OPTIONS);
}

/** A lexical index over a saved MiniSearch and its saved document frequencies. */
export function lexicalFromSaved(saved: unknown, frequency: ReadonlyMap<string, number>, chunks: readonly Chunk[]): LexicalIndex {
  return lexicalIndex(loadMiniSearch(saved), new Map(chunks.map((chunk, label) => [chunk.id, label])), frequency, chunks.length);
}

/** A MiniSearch index a build adds chunks to and removes them from, then saves with the build. */
export class LexicalWriter {
  private constructor(readonly search: MiniSearch<Row>) {}

  static empty(): LexicalWriter {
    return new LexicalWriter(new MiniSearch<Row>(OPTIONS));
  }

  static from(saved: unknown): LexicalWriter {
    return new LexicalWriter(loadMiniSearch(saved));
  }

  add(chunk: Chunk, doc: Document | undefined): void {
    this.search.add(rowOf(chunk, doc));
  }

  /** `chunk` and `doc` as they were added: MiniSearch removes by re-reading the same fields. */
  remove(chunk: Chunk, doc: Document | undefined): void {
    this.search.remove(rowOf(chunk, doc));
  }

  toJSON(): unknown {
    return this.search.toJSON();
  }
}
