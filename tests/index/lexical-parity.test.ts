import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import MiniSearch from 'minisearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkDocuments, DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { readCorpus } from '../../src/index/corpus.js';
import { conceptSearch, weightedSearch } from '../support/lexical-reference.js';
import { fieldTexts, lexicalIndexOf, LexicalWriter, type LexicalIndex, type WeightedTerm } from '../../src/index/lexical.js';
import { contentTerms, isStopword, normalizeTerm, WORD } from '../../src/index/terms.js';
import type { Chunk, Document } from '../../src/index/types.js';
import { seededRandom, writeNewsCorpus } from '../../scripts/support/news-corpus.js';

/*
 * The compact index replaced MiniSearch 7 with the options below (the index of the builds before
 * it): it must rank and score exactly as that did, so that no answer changes.
 */
interface Row {
  id: string;
  text: string;
  title: string;
}

function miniSearch(): MiniSearch<Row> {
  return new MiniSearch<Row>({
    idField: 'id',
    fields: ['text', 'title'],
    tokenize: (text) => text.match(WORD) ?? [],
    processTerm: (word) => (isStopword(word) ? null : normalizeTerm(word)),
    searchOptions: { boost: { text: 1, title: 0.3 }, combineWith: 'OR' },
  });
}

function miniIndex(search: MiniSearch<Row>, chunks: readonly Chunk[]): LexicalIndex {
  const labelOf = new Map(chunks.map((c, label) => [c.id, label]));
  const labelled = (found: Array<{ id: unknown; score: number }>, k: number) => found.slice(0, k).map((r) => ({ label: labelOf.get(r.id as string)!, score: r.score }));
  const index: LexicalIndex = {
    search: (query, k) => labelled(search.search(query), k),
    searchTerms(terms, k) {
      const weights = new Map<string, number>();
      for (const { term, weight } of terms) weights.set(term, Math.max(weight, weights.get(term) ?? 0));
      const found = search.search(terms.map((t) => t.term).join(' '), { tokenize: (text) => text.split(' ').filter(Boolean), processTerm: (term) => term, boostTerm: (term) => weights.get(term) ?? 1 });
      return labelled(found, k);
    },
    searchConcepts: (concepts, k) => conceptSearch(index, concepts).slice(0, k),
    searchFollowUp: (query, context, k) => weightedSearch((n) => (query.concepts ? index.searchConcepts(query.concepts, n) : index.searchTerms(query.terms, n)), index.search, [...context], k),
    idf: () => 0,
  };
  return index;
}

const rowOf = (chunk: Chunk, doc: Document | undefined): Row => {
  const [text, title] = fieldTexts(chunk, doc);
  return { id: chunk.id, text, title };
};

let dir: string;
let chunks: Chunk[];
let docById: Map<string, Document>;
let queries: string[];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'newsdesk-parity-'));
  const synthetic = await writeNewsCorpus(join(dir, 'news'), 1500);
  const seed = await readCorpus(join(import.meta.dirname, '../../corpus'));
  const news = await readCorpus(join(dir, 'news'));
  const documents = [...seed.documents, ...news.documents];
  chunks = chunkDocuments(documents, DEFAULT_CHUNKING);
  docById = new Map(documents.map((d) => [d.id, d]));
  // Questions of the synthetic corpus, headline queries, and word runs cut from the chunks
  // themselves (repeated words, stopwords, titles' words and words absent from the corpus included).
  const random = seededRandom(7);
  const cut = (text: string) => {
    const words = text.match(WORD) ?? [];
    const from = Math.floor(random() * words.length);
    return words.slice(from, from + 1 + Math.floor(random() * 6)).join(' ');
  };
  queries = [...synthetic.questions, ...synthetic.headlineQueries, 'Iran Iran sanctions', 'the of and', 'zzyzx qwerty'];
  for (let i = 0; i < 80; i++) queries.push(cut(chunks[Math.floor(random() * chunks.length)]!.text));
  for (let i = 0; i < 20; i++) {
    const doc = docById.get(chunks[Math.floor(random() * chunks.length)]!.docId)!;
    queries.push(`${cut(doc.title)} ${cut(chunks[Math.floor(random() * chunks.length)]!.text)}`);
  }
});

afterAll(() => rm(dir, { recursive: true, force: true }));

function weighted(query: string, i: number): WeightedTerm[] {
  // Expansions weigh less, a term may come twice with two weights, and a phrase term holds a space.
  const terms = contentTerms(query).map((term, j) => ({ term, weight: j === 0 ? 1 : 0.25 + ((i + j) % 4) * 0.2 }));
  if (terms.length > 1) terms.push({ term: terms[0]!.term, weight: 0.5 }, { term: `${terms[1]!.term} ${terms[0]!.term}`, weight: 0.4 });
  return terms;
}

function expectSameAnswers(ours: LexicalIndex, theirs: LexicalIndex): number {
  let compared = 0;
  queries.forEach((query, i) => {
    for (const k of [1, 200]) {
      expect(ours.search(query, k), `${query} (k ${k})`).toEqual(theirs.search(query, k));
      expect(ours.searchTerms(weighted(query, i), k), `${query} as terms (k ${k})`).toEqual(theirs.searchTerms(weighted(query, i), k));
      compared += 2;
    }
  });
  return compared;
}

describe('the compact BM25 index', () => {
  it('ranks and scores every query exactly as MiniSearch did: same labels, same order, same scores to the bit', () => {
    const search = miniSearch();
    const writer = LexicalWriter.empty();
    for (const chunk of chunks) {
      search.add(rowOf(chunk, docById.get(chunk.docId)));
      writer.add(chunk, docById.get(chunk.docId));
    }
    // Labels are positions in the build's chunk array, which need not be the order chunks were added in.
    const labelled = [...chunks].reverse();
    expect(chunks.length).toBeGreaterThan(1500);
    expect(expectSameAnswers(lexicalIndexOf(writer.seal(labelled).arrays), miniIndex(search, labelled))).toBe(queries.length * 4);
  });

  it('still does after chunks are removed from and added to a sealed index, as a re-index does', () => {
    const search = miniSearch();
    const first = LexicalWriter.empty();
    const [initial, later] = [chunks.slice(0, 1200), chunks.slice(1200)];
    for (const chunk of initial) {
      search.add(rowOf(chunk, docById.get(chunk.docId)));
      first.add(chunk, docById.get(chunk.docId));
    }
    const writer = LexicalWriter.from(first.seal(initial).arrays, initial);
    const removed = initial.filter((_, i) => i % 7 === 3);
    for (const chunk of removed) {
      search.remove(rowOf(chunk, docById.get(chunk.docId)));
      writer.remove(chunk);
    }
    for (const chunk of later) {
      search.add(rowOf(chunk, docById.get(chunk.docId)));
      writer.add(chunk, docById.get(chunk.docId));
    }
    const gone = new Set(removed.map((c) => c.id));
    const current = [...initial.filter((c) => !gone.has(c.id)), ...later];
    expectSameAnswers(lexicalIndexOf(writer.seal(current).arrays), miniIndex(search, current));
  });

  it('still does when a sealed index only gains chunks, and when the build lists its chunks in another order', () => {
    const search = miniSearch();
    const first = LexicalWriter.empty();
    const [initial, later] = [chunks.slice(0, 1200), chunks.slice(1200)];
    for (const chunk of initial) {
      search.add(rowOf(chunk, docById.get(chunk.docId)));
      first.add(chunk, docById.get(chunk.docId));
    }
    const writer = LexicalWriter.from(first.seal(initial).arrays, initial);
    for (const chunk of later) {
      search.add(rowOf(chunk, docById.get(chunk.docId)));
      writer.add(chunk, docById.get(chunk.docId));
    }
    const current = [...later.slice(0, 40), ...[...initial].reverse(), ...later.slice(40)];
    expectSameAnswers(lexicalIndexOf(writer.seal(current).arrays), miniIndex(search, current));
  });

  it('refuses to seal when the chunks of the build are not the chunks it holds, and to remove a chunk it lacks', () => {
    const writer = LexicalWriter.empty();
    writer.add(chunks[0]!, docById.get(chunks[0]!.docId));
    expect(() => writer.remove(chunks[1]!)).toThrow(`cannot remove ${chunks[1]!.id}`);
    expect(() => writer.add(chunks[0]!, undefined)).toThrow(`duplicate chunk ${chunks[0]!.id}`);
    expect(() => writer.seal([chunks[1]!])).toThrow(`chunk ${chunks[1]!.id} is not in the index`);
    expect(() => writer.seal([])).toThrow('1 chunks indexed, 0 in the build');
  });
});
