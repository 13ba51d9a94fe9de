import { describe, expect, it } from 'vitest';
import { parseTimelineProbes, scoreTimeline, summarizeTimelines } from '../../src/eval/timeline.js';
import type { Passage, Timeline } from '../../src/index/types.js';

const passage = (text: string): Passage => ({ text, score: 1, source: { id: text, kind: 'headline', title: text, outlet: null, date: null, url: null }, chunkId: `${text}#0`, start: 0, end: text.length, highlights: [] });
const timeline = (...texts: string[]): Timeline => ({ topic: 't', days: [{ date: null, passages: texts.map(passage) }], total: texts.length });

describe('timeline probe scoring', () => {
  it('counts gold found by the start of its text, and shown passages that are neither gold nor related as extra', () => {
    const probe = { topic: 't', gold: ['Russia seeks', 'Kremlin, asked'], related: ['Kremlin says'] };
    expect(scoreTimeline(probe, timeline('Russia seeks to mediate', 'Kremlin says talks', 'Naval drill held'))).toEqual({
      topic: 't', found: 1, gold: 2, shown: 3, relevant: 2, missing: ['Kremlin, asked'], extra: ['Naval drill held'],
    });
  });

  it('sums recall and precision over the probes, and reads JSONL', () => {
    const probes = parseTimelineProbes('{"topic": "a", "gold": ["x"]}\n\n{"topic": "b", "gold": ["y", "z"]}\n');
    const results = [scoreTimeline(probes[0]!, timeline('x1')), scoreTimeline(probes[1]!, timeline('w'))];
    expect(summarizeTimelines(results)).toBe('gold found 1/3 (recall 0.33), 1/2 shown relevant (precision 0.50)');
  });
});
