import { describe, expect, it } from 'vitest';
import { formatAnswerText, highlight, NOT_COVERED, sourceLine } from '../src/present.js';
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
    expect(formatAnswerText(answer, { color: true })).toContain('Iran and \x1b[1mTurkmenistan\x1b[22m');
    expect(formatAnswerText({ ...answer, answered: false, passages: [] }, { color: true })).toBe(NOT_COVERED);
  });
});
