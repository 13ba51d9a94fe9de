import MiniSearch from 'minisearch';
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

interface Row {
  label: number;
  text: string;
  title: string;
}

/** `chunkTerms[label]` are the chunk's `contentTerms`, which are exactly the terms MiniSearch indexes. */
export function buildLexicalIndex(chunks: Chunk[], chunkTerms: string[][], documents: Map<string, Document>): LexicalIndex {
  const search = new MiniSearch<Row>({
    idField: 'label',
    fields: ['text', 'title'],
    tokenize: (text) => text.match(WORD) ?? [],
    processTerm: (word) => (isStopword(word) ? null : normalizeTerm(word)),
    // An article's title gives its chunks some context; a headline's title is its text already.
    searchOptions: { boost: { text: 1, title: 0.3 }, combineWith: 'OR' },
  });
  search.addAll(chunks.map((chunk, label) => {
    const doc = documents.get(chunk.docId);
    return { label, text: chunk.text, title: doc?.kind === 'article' ? doc.title : '' };
  }));
  const frequency = documentFrequencies(chunkTerms);
  const total = chunks.length;
  return {
    search: (query, k) => search.search(query).slice(0, k).map((r) => ({ label: r.id as number, score: r.score })),
    searchTerms(terms, k) {
      const weights = new Map<string, number>();
      for (const { term, weight } of terms) weights.set(term, Math.max(weight, weights.get(term) ?? 0));
      // The terms are normalized already: MiniSearch must not stem them a second time.
      const found = search.search(terms.map((t) => t.term).join(' '), {
        tokenize: (text) => text.split(' ').filter(Boolean),
        processTerm: (term) => term,
        boostTerm: (term) => weights.get(term) ?? 1,
      });
      return found.slice(0, k).map((r) => ({ label: r.id as number, score: r.score }));
    },
    idf(term) {
      const df = frequency.get(term) ?? 0;
      return Math.log(1 + (total - df + 0.5) / (df + 0.5));
    },
  };
}

/** How many chunks hold each term: counted once per load, since scoring asks per sentence. */
function documentFrequencies(chunkTerms: string[][]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const terms of chunkTerms) for (const term of new Set(terms)) counts.set(term, (counts.get(term) ?? 0) + 1);
  return counts;
}
