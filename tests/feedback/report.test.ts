import { describe, expect, it } from 'vitest';
import { formatReport, summarizeFeedback, type ReportPeriod } from '../../src/feedback/report.js';

const feedbackReport = (text: string, period: ReportPeriod) => formatReport(summarizeFeedback(text, period));

const line = (ts: string, vote: string, question: string, answered: boolean, passages: Array<[string, string, number]> = []) =>
  JSON.stringify({ ts, answerId: ts.slice(11, 19), vote, question, answered, passages: passages.map(([sourceId, chunkId, score]) => ({ chunkId, sourceId, score })) });

const FIXTURE = [
  line('2025-03-01T09:00:00.000Z', 'down', 'Who won the World Cup?', false),
  line('2025-03-02T09:00:00.000Z', 'down', 'who won  the world cup?', false),
  line('2025-03-02T10:00:00.000Z', 'up', 'Who won the World Cup?', false),
  line('2025-03-03T09:00:00.000Z', 'down', 'What is the weather in Oslo?', false),
  line('2025-03-03T10:00:00.000Z', 'down', 'When does the bridge reopen?', true, [['d1', 'd1#0', 0.8123], ['d2', 'd2#3', 0.5]]),
  line('2025-03-04T10:00:00.000Z', 'down', 'When does the bridge reopen?', true, [['d1', 'd1#0', 0.8123], ['d3', 'd3#1', 0.45]]),
  line('2025-03-04T11:00:00.000Z', 'up', 'When does the bridge reopen?', true, [['d1', 'd1#0', 0.8123]]),
  line('2025-03-05T10:00:00.000Z', 'down', 'Who runs the port?', true, [['d9', 'd9#2', 0.61]]),
  'not json',
  '',
].join('\n');

describe('summarizeFeedback + formatReport without an index', () => {
  it('groups refused and down-voted questions (case and spacing ignored), most votes first, with the ids of the passages shown', () => {
    expect(feedbackReport(FIXTURE, {})).toBe(
      [
        'Feedback all time: 8 votes (👎 6, 👍 2).',
        '',
        'Refused questions, by votes, with the nearest passages in the corpus:',
        '   3  Who won the World Cup?  (👎 2, 👍 1)',
        '   1  What is the weather in Oslo?  (👎 1, 👍 0)',
        '',
        'Answered questions voted 👎, by 👎 votes, with the passages they showed:',
        '   2  When does the bridge reopen?  (👎 2, 👍 1)',
        '        1. d1#0 · score 0.812',
        '        2. d2#3 · score 0.500',
        '        3. d3#1 · score 0.450',
        '   1  Who runs the port?  (👎 1, 👍 0)',
        '        1. d9#2 · score 0.610',
        '',
        'Skipped 1 unreadable line.',
        '',
      ].join('\n'),
    );
  });

  it('keeps only the votes of the period, both bounds inclusive', () => {
    expect(feedbackReport(FIXTURE, { since: '2025-03-02', until: '2025-03-03' })).toBe(
      [
        'Feedback from 2025-03-02 to 2025-03-03: 4 votes (👎 3, 👍 1).',
        '',
        'Refused questions, by votes, with the nearest passages in the corpus:',
        '   2  who won  the world cup?  (👎 1, 👍 1)',
        '   1  What is the weather in Oslo?  (👎 1, 👍 0)',
        '',
        'Answered questions voted 👎, by 👎 votes, with the passages they showed:',
        '   1  When does the bridge reopen?  (👎 1, 👍 0)',
        '        1. d1#0 · score 0.812',
        '        2. d2#3 · score 0.500',
        '',
        'Skipped 1 unreadable line.',
        '',
      ].join('\n'),
    );
  });

  it('says none for empty sections', () => {
    expect(feedbackReport('', { since: '2030-01-01' })).toBe(
      [
        'Feedback since 2030-01-01: 0 votes (👎 0, 👍 0).',
        '',
        'Refused questions, by votes, with the nearest passages in the corpus:',
        '   none',
        '',
        'Answered questions voted 👎, by 👎 votes, with the passages they showed:',
        '   none',
        '',
      ].join('\n'),
    );
  });
});
