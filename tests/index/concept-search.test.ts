import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chunkDocuments, DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { conceptSearch, weightedSearch } from '../support/lexical-reference.js';
import { readCorpus } from '../../src/index/corpus.js';
import { buildLexicalIndex, type LexicalIndex, type WeightedTerm } from '../../src/index/lexical.js';
import { contentTerms, WORD } from '../../src/index/terms.js';
import type { Chunk, Document } from '../../src/index/types.js';
import { seededRandom, writeNewsCorpus, type Random } from '../../scripts/support/news-corpus.js';

/*
 * The index's own concept search must give what `conceptScores` gives over each term's full list
 * (`conceptSearch`, the exhaustive reference): the same labels in the same order, the same scores
 * to the bit, at every k.
 */

let dir: string;
let seed: LexicalIndex;
let news: LexicalIndex;
const queries: Record<'seed' | 'news', string[]> = { seed: [], news: [] };

function indexOf(documents: Document[]): { index: LexicalIndex; chunks: Chunk[] } {
  const chunks = chunkDocuments(documents, DEFAULT_CHUNKING);
  return { index: buildLexicalIndex(chunks, new Map(documents.map((d) => [d.id, d]))), chunks };
}

/** Word runs cut from the chunks themselves: common, rare and repeated words. */
function cuts(chunks: Chunk[], random: Random, n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const words = chunks[Math.floor(random() * chunks.length)]!.text.match(WORD) ?? [];
    const from = Math.floor(random() * words.length);
    out.push(words.slice(from, from + 2 + Math.floor(random() * 8)).join(' '));
  }
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'newsdesk-concepts-'));
  const synthetic = await writeNewsCorpus(join(dir, 'news'), 1500);
  const random = seededRandom(11);
  const seedIndex = indexOf((await readCorpus(join(import.meta.dirname, '../../corpus'))).documents);
  const newsIndex = indexOf((await readCorpus(join(dir, 'news'))).documents);
  seed = seedIndex.index;
  news = newsIndex.index;
  queries.seed = ['Iran sanctions talks', 'What did Russia offer to mediate?', 'zzyzx qwerty', ...cuts(seedIndex.chunks, random, 120)];
  queries.news = [...synthetic.questions, ...synthetic.headlineQueries, ...cuts(newsIndex.chunks, random, 120)];
});

afterAll(() => rm(dir, { recursive: true, force: true }));

/**
 * A query's terms as concepts the way expansion makes them: a term alone or with alternatives at
 * lower weights, a term twice, a term in two concepts, an unknown term, a phrase term, an empty concept.
 */
function conceptsOf(query: string, random: Random): WeightedTerm[][] {
  const terms = contentTerms(query);
  const concepts: WeightedTerm[][] = [];
  for (let i = 0; i < terms.length; i++) {
    const concept = [{ term: terms[i]!, weight: 1 }];
    while (i + 1 < terms.length && random() < 0.4) concept.push({ term: terms[++i]!, weight: 0.2 + Math.floor(random() * 8) / 10 });
    concepts.push(concept);
  }
  if (terms.length > 1 && random() < 0.5) concepts.push([{ term: terms[0]!, weight: 0.5 }, { term: terms[0]!, weight: 0.3 }]);
  if (random() < 0.3) concepts.push([{ term: 'zzyzxq', weight: 1 }]);
  if (terms.length > 1 && random() < 0.3) concepts[0]!.push({ term: `${terms[1]} ${terms[0]}`, weight: 0.4 });
  if (random() < 0.1) concepts.push([]);
  return concepts;
}

describe('searchConcepts and searchFollowUp', () => {
  for (const corpus of ['seed', 'news'] as const) {
    it(`gives the exhaustive concept scorer's labels, order and scores at every k (${corpus})`, () => {
      const index = corpus === 'seed' ? seed : news;
      const random = seededRandom(corpus === 'seed' ? 3 : 5);
      let compared = 0;
      for (const query of queries[corpus]) {
        const concepts = conceptsOf(query, random);
        const all = conceptSearch(index, concepts);
        for (const k of [1, 3, 50, Number.MAX_SAFE_INTEGER]) {
          expect(index.searchConcepts(concepts, k), `${query} (k ${k})`).toEqual(all.slice(0, k));
          compared++;
        }
      }
      expect(compared).toBe(4 * queries[corpus].length);
    });
  }

  for (const corpus of ['seed', 'news'] as const) {
    it(`scores a follow-up as weightedSearch over the exhaustive rankings does, by concept and by term (${corpus})`, () => {
      const index = corpus === 'seed' ? seed : news;
      const random = seededRandom(corpus === 'seed' ? 13 : 17);
      const texts = queries[corpus];
      let compared = 0;
      texts.forEach((query, i) => {
        const concepts = conceptsOf(query, random);
        const terms = concepts.flat();
        // One or two earlier questions, weighted as history is, or none (the question's own ranking).
        const context = [texts[(i + 1) % texts.length]!, texts[(i + 7) % texts.length]!].slice(0, i % 3).map((text, j) => ({ text, weight: 0.5 / (j + 1) }));
        for (const k of [3, 50]) {
          const byConcept = weightedSearch((n) => conceptSearch(index, concepts).slice(0, n), index.search, context, k);
          const byTerm = weightedSearch((n) => index.searchTerms(terms, n), index.search, context, k);
          expect(index.searchFollowUp({ terms, concepts }, context, k), `${query} by concept (k ${k})`).toEqual(byConcept);
          expect(index.searchFollowUp({ terms }, context, k), `${query} by term (k ${k})`).toEqual(byTerm);
          compared += 2;
        }
      });
      expect(compared).toBe(4 * texts.length);
    });
  }

  it('finds nothing for no concepts, for unknown terms, and for k 0', () => {
    expect(news.searchConcepts([], 10)).toEqual([]);
    expect(news.searchConcepts([[{ term: 'zzyzxq', weight: 1 }], []], 10)).toEqual([]);
    expect(news.searchConcepts([[{ term: contentTerms(queries.news[0]!)[0]!, weight: 1 }]], 0)).toEqual([]);
  });
});
