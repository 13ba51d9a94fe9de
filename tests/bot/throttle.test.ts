import { describe, expect, it } from 'vitest';
import { throttledEdits } from '../../src/bot/throttle.js';

describe('throttledEdits', () => {
  it('sends the first edit at once, then only the latest text per interval, and nothing after finish()', async () => {
    const sent: string[] = [];
    let now = 0;
    const edits = throttledEdits(async (text) => void sent.push(text), 1000, undefined, () => now);
    edits.push('a');
    edits.push('b');
    edits.push('c');
    await Promise.resolve();
    expect(sent).toEqual(['a']);
    await edits.finish();
    edits.push('d');
    expect(sent).toEqual(['a']);
  });

  it('with interval 0 sends every edit, in order, one at a time', async () => {
    const sent: string[] = [];
    let inFlight = 0;
    const edits = throttledEdits(async (text) => {
      inFlight += 1;
      expect(inFlight).toBe(1);
      await new Promise((r) => setImmediate(r));
      sent.push(text);
      inFlight -= 1;
    }, 0);
    for (const t of ['1', '2', '3']) edits.push(t);
    await edits.finish();
    expect(sent).toEqual(['1', '2', '3']);
  });

  it('reports a failed edit and keeps going', async () => {
    const errors: unknown[] = [];
    const sent: string[] = [];
    const edits = throttledEdits(
      async (text) => {
        if (text === 'bad') throw new Error('nope');
        sent.push(text);
      },
      0,
      (e) => errors.push(e),
    );
    edits.push('bad');
    edits.push('good');
    await edits.finish();
    expect(sent).toEqual(['good']);
    expect(errors).toHaveLength(1);
  });
});
