import { describe, expect, it } from 'vitest';
import type { Expansion } from '../../src/index/expand.js';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decide, DEFAULT_SETTINGS, isAnswerable, termShare, wordOverlap } from '../../src/index/retriever.js';
import { contentTerms, matchedTerms } from '../../src/index/terms.js';

const t = DEFAULT_SETTINGS.refusal;

describe('isAnswerable', () => {
  it('refuses below the dense floor whatever the words say', () => {
    expect(isAnswerable({ dense: t.minDense - 0.01, lexical: 1, agree: true }, t)).toBe(false);
  });

  it('answers on enough words, on strong embeddings with some words, or on agreement', () => {
    expect(isAnswerable({ dense: t.minDense, lexical: t.lexical, agree: false }, t)).toBe(true);
    expect(isAnswerable({ dense: t.dense, lexical: t.denseLexical, agree: false }, t)).toBe(true);
    expect(isAnswerable({ dense: t.dense, lexical: t.denseLexical - 0.01, agree: false }, t)).toBe(false);
    expect(isAnswerable({ dense: t.strongDense, lexical: t.strongDenseLexical, agree: false }, t)).toBe(true);
    expect(isAnswerable({ dense: t.strongDense - 0.01, lexical: t.strongDenseLexical, agree: false }, t)).toBe(false);
    expect(isAnswerable({ dense: t.minDense, lexical: t.agreedLexical, agree: true }, t)).toBe(true);
    expect(isAnswerable({ dense: t.minDense, lexical: t.agreedLexical, agree: false }, t)).toBe(false);
  });
});

describe('decide', () => {
  it('names the clause that answered or refused', () => {
    expect(decide({ dense: 0.1, lexical: 1, agree: true }, t)).toEqual({ answered: false, reason: 'refused: best similarity 0.10 is below 0.2' });
    expect(decide({ dense: 0.5, lexical: 0.8, agree: false }, t)).toEqual({ answered: true, reason: "answered: 80% of the question's words found (at least 75%)" });
    expect(decide({ dense: 0.3, lexical: 0.1, agree: false }, t)).toEqual({ answered: false, reason: "refused: 10% of the question's words found, best similarity 0.30, rankers do not agree: not enough evidence" });
  });
});

describe('termShare', () => {
  it('is the IDF-weighted share of query terms present', () => {
    const idf = (term: string) => ({ rare: 3, common: 1 })[term] ?? 2;
    expect(termShare(['rare', 'common', 'absent'], new Set(['common', 'rare']), idf)).toBeCloseTo(4 / 6, 12);
    expect(termShare([], new Set(['x']), idf)).toBe(0);
  });

  it('credits a missing term at the weight of its expansion found instead', () => {
    const idf = () => 1;
    const truce: Expansion = { term: 'ceasefir', from: 'truce', fromTerm: 'truce', via: 'cease-fire', source: 'synonym', weight: 0.5 };
    expect(termShare(['truce', 'ottawa'], new Set(['ceasefir', 'ottawa']), idf, [truce])).toBeCloseTo(1.5 / 2, 12);
    expect(termShare(['truce', 'ottawa'], new Set(['ottawa']), idf, [truce])).toBeCloseTo(1 / 2, 12);
  });
});

describe('wordOverlap', () => {
  it('is Jaccard overlap with derived words matched', () => {
    expect(wordOverlap(['iran', 'inspector', 'freez'], ['iran', 'inspect', 'site'])).toBeCloseTo(2 / 4, 12);
    expect(wordOverlap([], [])).toBe(0);
  });

  it('gives what matching every pair of terms gives, over the sentences of the seed corpus', () => {
    // The reading before the prefix buckets: each distinct left term against every right term.
    const everyPair = (a: string[], b: string[]) => {
      const left = new Set(a);
      const right = new Set(b);
      const shared = matchedTerms(left, right).size;
      return left.size + right.size - shared === 0 ? 0 : shared / (left.size + right.size - shared);
    };
    const dir = join(import.meta.dirname, '../../corpus');
    const lists = readdirSync(dir).flatMap((name) => readFileSync(join(dir, name), 'utf8').split(/[.\n]/)).map(contentTerms).filter((terms) => terms.length > 0);
    // Derived forms of one word ("inspector", "inspect"), short terms and repeats on both sides.
    lists.push(['inspector', 'inspect', 'inspect', 'un', 'un'], ['inspected', 'un', 'uno', 'inspection']);
    let compared = 0;
    for (let i = 0; i < lists.length; i += 3) {
      for (let j = 1; j < lists.length; j += 7) {
        expect(wordOverlap(lists[i]!, lists[j]!), `${lists[i]} / ${lists[j]}`).toBe(everyPair(lists[i]!, lists[j]!));
        compared++;
      }
    }
    expect(wordOverlap(lists.at(-2)!, lists.at(-1)!)).toBe(everyPair(lists.at(-2)!, lists.at(-1)!));
    expect(compared).toBeGreaterThan(1000);
  });
});
