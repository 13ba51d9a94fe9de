import { describe, expect, it } from 'vitest';
import { buildTimeline, timelinePassages, timelineTopic } from '../../src/index/timeline.js';
import type { Passage } from '../../src/index/types.js';

function passage(id: string, date: string | null, start = 0): Passage {
  return {
    text: id,
    score: 1,
    source: { id, kind: 'headline', title: id, outlet: 'Wire', date, url: null },
    chunkId: `${id}:0`,
    start,
    end: start + 2,
    highlights: [],
  };
}

describe('buildTimeline', () => {
  it('groups by day, oldest first, undated last, keeping relevance order within a day and dropping repeats', () => {
    const t = buildTimeline('topic', [
      passage('b', '2025-03-11'),
      passage('u', null),
      passage('a', '2025-03-07'),
      passage('c', '2025-03-11'),
      passage('b', '2025-03-11'),
      passage('d', '2025-02-01'),
    ]);
    expect(t.days.map((d) => [d.date, d.passages.map((p) => p.source.id)])).toEqual([
      ['2025-02-01', ['d']],
      ['2025-03-07', ['a']],
      ['2025-03-11', ['b', 'c']],
      [null, ['u']],
    ]);
    expect(t.total).toBe(5);
    expect(timelinePassages(t).map((p) => p.source.id)).toEqual(['d', 'a', 'b', 'c', 'u']);
  });

  it('is empty for no passages', () => {
    expect(buildTimeline('x', [])).toEqual({ topic: 'x', days: [], total: 0 });
  });
});

describe('timelineTopic', () => {
  it.each([
    ['How did the Russia mediation story develop?', 'Russia mediation'],
    ['how has the oil waiver unfolded', 'oil waiver'],
    ['How did coverage of the drills evolve over time?', 'coverage of the drills'],
    ['Timeline of the naval drills', 'naval drills'],
    ['naval drills', 'naval drills'],
    ['  sanctions?  ', 'sanctions'],
  ])('%j is about %j', (text, topic) => {
    expect(timelineTopic(text)).toBe(topic);
  });
});
