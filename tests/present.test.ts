import { describe, expect, it } from 'vitest';
import { formatAnswerText, highlight, NOT_COVERED, sourceLine, unmatchedNotice } from '../src/present.js';
import type { Answer } from '../src/index/types.js';

const source = { id: 'h1', kind: 'headline' as const, title: 'Iran and Turkmenistan Strengthen Energy, Trade Ties', outlet: 'The Media Line', date: '2025-02-11', url: null };

describe('present', () => {
  it('writes a source line from what the source has', () => {
    expect(sourceLine(source)).toBe('Iran and Turkmenistan Strengthen Energy, Trade Ties · The Media Line · 2025-02-11');
    expect(sourceLine({ ...source, outlet: null, date: null })).toBe('Iran and Turkmenistan Strengthen Energy, Trade Ties');
  });

  it('wraps highlights, joining words separated by one space', () => {
    expect(highlight({ text: 'the Zangezur corridor route', highlights: [[4, 12], [13, 21]] }, '**', '**')).toBe('the **Zangezur corridor** route');
  });

  it('renders numbered quotes for the console, bold only with color', () => {
    const answer: Answer = { question: 'q', answered: true, more: [], passages: [{ text: 'Iran and Turkmenistan', score: 1, source, chunkId: 'h1#0', start: 0, end: 21, highlights: [[9, 21]] }] };
    expect(formatAnswerText(answer, { color: false })).toBe('1. “Iran and Turkmenistan”\n   — Iran and Turkmenistan Strengthen Energy, Trade Ties · The Media Line · 2025-02-11');
    const whole = { ...answer.passages[0]!, text: source.title, end: source.title.length, highlights: [] };
    expect(formatAnswerText({ ...answer, passages: [whole] }, { color: false })).toBe('1. “Iran and Turkmenistan Strengthen Energy, Trade Ties”\n   — The Media Line · 2025-02-11');
    expect(formatAnswerText(answer, { color: true })).toContain('Iran and \x1b[1mTurkmenistan\x1b[22m');
    expect(formatAnswerText({ ...answer, answered: false, passages: [] }, { color: true })).toBe(NOT_COVERED);
  });

  it('says which filter matched nothing before the nearest passages', () => {
    const answer: Answer = { question: 'q', answered: true, more: [], passages: [{ text: 'Iran and Turkmenistan', score: 1, source, chunkId: 'h1#0', start: 0, end: 21, highlights: [] }] };
    expect(unmatchedNotice({ outlet: 'Reuters', date: { year: 2025, month: 2 } })).toBe('No Reuters items in February 2025; the nearest are:');
    expect(unmatchedNotice({ date: { month: 6, day: 9 } })).toBe('No items on June 9; the nearest are:');
    expect(formatAnswerText({ ...answer, unmatched: { outlet: 'Reuters' } }, { color: false }).split('\n')[0]).toBe('No Reuters items; the nearest are:');
  });
});
