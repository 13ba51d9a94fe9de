import { describe, expect, it } from 'vitest';
import { parseProbes, scoreProbe, summarize } from '../../src/eval/coverage.js';
import type { Answer } from '../../src/index/types.js';

const answer = (coverage?: Answer['coverage']): Answer => ({ question: 'q', answered: true, passages: [], more: [], ...(coverage && { coverage }) });
const counted = (outlets: Array<string | null>, documents = outlets.length): Answer =>
  answer({ kind: 'count', topic: 't', documents, outlets: outlets.map((outlet) => ({ outlet, count: 1, dates: [] })) });

describe('coverage probe scoring', () => {
  it('is right only with exactly the expected outlets (no-outlet rows aside) and count', () => {
    const probe = { q: 'q', coverage: true, outlets: ['A', 'B'], documents: 3 };
    expect(scoreProbe(probe, counted(['B', 'A', null]))).toEqual({ q: 'q', coverage: true, correct: true, why: [] });
    expect(scoreProbe(probe, counted(['A', 'C'], 2)).why).toEqual(['missing B', 'extra C', '2 documents, expected 3']);
    expect(scoreProbe(probe, answer()).why).toEqual(['not detected']);
  });

  it('counts an ordinary question right only when it was left alone, and summarizes both kinds', () => {
    const ordinary = { q: 'o', coverage: false };
    const results = [scoreProbe(ordinary, answer()), scoreProbe(ordinary, counted(['A'])), scoreProbe({ q: 'c', coverage: true, outlets: ['A'] }, counted(['A']))];
    expect(results.map((r) => r.correct)).toEqual([true, false, true]);
    expect(results[1]!.why).toEqual(['turned into a count question']);
    expect(summarize(results)).toBe('coverage questions 1/1 right, ordinary questions 1/2 left alone');
  });

  it('reads JSONL, skipping blank lines', () => {
    expect(parseProbes('{"q": "a", "coverage": false}\n\n{"q": "b", "coverage": true, "outlets": []}\n')).toEqual([
      { q: 'a', coverage: false },
      { q: 'b', coverage: true, outlets: [] },
    ]);
  });
});
