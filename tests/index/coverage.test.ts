import { describe, expect, it } from 'vitest';
import { countByOutlet, coverageAnswer, coverageLines, detectCoverageQuestion } from '../../src/index/coverage.js';
import type { Passage } from '../../src/index/types.js';

describe('detectCoverageQuestion', () => {
  it.each([
    ['Which outlets covered Russian mediation?', { kind: 'outlets', topic: 'Russian mediation' }],
    ['What sources reported on the oil waiver?', { kind: 'outlets', topic: 'oil waiver' }],
    ['which news outlets have written about the B-52 bombers', { kind: 'outlets', topic: 'B-52 bombers' }],
    ['Which outlets covered the naval drills, and when?', { kind: 'who-when', topic: 'naval drills' }],
    ['How many headlines mention sanctions?', { kind: 'count', topic: 'sanctions', only: 'headline' }],
    ['How many articles discuss the corridor?', { kind: 'count', topic: 'corridor', only: 'article' }],
    ['How many stories were about the election?', { kind: 'count', topic: 'election' }],
    ['Who reported on the naval drills, and when?', { kind: 'who-when', topic: 'naval drills' }],
    ['Who covered the bomber flights?', { kind: 'outlets', topic: 'bomber flights' }],
  ])('reads %j as a coverage question', (question, expected) => {
    expect(detectCoverageQuestion(question)).toEqual(expected);
  });

  it.each([
    'How did the Russia mediation story develop?',
    'How many B-52 bombers did the Pentagon deploy?',
    'How many accounts did the bank close?',
    'Who is the guarantor of the 2020 ceasefire agreement?',
    'Who reported that the singer was flogged?',
    'Who covered up the plot?',
    'What did Reuters report on March 7?',
    'Which countries joined the naval drills?',
    'What sources of energy does the country export?',
    'Which outlet is based in Qatar?',
    'Who wrote to the supreme leader?',
    'How many headlines mention',
    'Reuters covered what?',
  ])('leaves %j as an ordinary question', (question) => {
    expect(detectCoverageQuestion(question)).toBeNull();
  });
});

function passage(id: string, outlet: string | null, date: string | null): Passage {
  return {
    text: `text ${id}`,
    score: 1,
    source: { id, kind: 'headline', title: `title ${id}`, outlet, date, url: null },
    chunkId: `${id}:0`,
    start: 0,
    end: 7,
    highlights: [],
  };
}

describe('coverage counts', () => {
  const passages = [
    passage('h1', 'Wire', '2025-03-07'),
    passage('h2', 'Daily', '2025-03-11'),
    passage('h3', 'Wire', '2025-03-11'),
    passage('h1', 'Wire', '2025-03-07'),
    passage('h4', null, '2025-02-01'),
    passage('h5', 'Alpha', '2025-03-01'),
  ];

  it('counts each document once per outlet, most first, then by name, no outlet last, with sorted dates', () => {
    expect(countByOutlet(passages)).toEqual([
      { outlet: 'Wire', count: 2, dates: ['2025-03-07', '2025-03-11'] },
      { outlet: 'Alpha', count: 1, dates: ['2025-03-01'] },
      { outlet: 'Daily', count: 1, dates: ['2025-03-11'] },
      { outlet: null, count: 1, dates: ['2025-02-01'] },
    ]);
  });

  it('answers with the first k documents in date order and the rest under More', () => {
    const answer = coverageAnswer('q?', { kind: 'count', topic: 'x', only: 'headline' }, passages, 2);
    expect(answer.answered).toBe(true);
    expect(answer.passages.map((p) => p.source.id)).toEqual(['h4', 'h5']);
    expect(answer.more.map((p) => p.source.id)).toEqual(['h1', 'h2', 'h3']);
    expect(coverageLines(answer.coverage!)).toEqual([
      '5 headlines match “x”, from 3 outlets.',
      'Wire (2): 2025-03-07, 2025-03-11',
      'Alpha (1): 2025-03-01',
      'Daily (1): 2025-03-11',
      'no outlet named (1): 2025-02-01',
    ]);
  });

  it('is not answered, with a zero count, when nothing matches', () => {
    const answer = coverageAnswer('q?', { kind: 'outlets', topic: 'y' }, [], 3);
    expect(answer).toEqual({ question: 'q?', answered: false, passages: [], more: [], coverage: { kind: 'outlets', topic: 'y', documents: 0, outlets: [] } });
    expect(coverageLines(answer.coverage!)).toEqual(['0 documents match “y”.']);
  });
});
