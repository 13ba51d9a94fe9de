import { describe, expect, it } from 'vitest';
import { customId, intArg, parseCustomId } from '../../src/bot/custom-id.js';

describe('custom ids', () => {
  it('round-trip command, action and arguments', () => {
    const id = customId('source', 'page', 'a95e3e82', 2, '1196423550861443076', 10, 20);
    expect(id).toBe('source:page:a95e3e82:2:1196423550861443076:10:20');
    expect(parseCustomId(id)).toEqual({ command: 'source', action: 'page', args: ['a95e3e82', '2', '1196423550861443076', '10', '20'] });
  });

  it('refuse ids over 100 characters and parts containing ":"', () => {
    expect(() => customId('x', 'y', 'z'.repeat(100))).toThrow(/longer than 100/);
    expect(() => customId('x', 'y', 'a:b')).toThrow(/may not contain/);
  });

  it('intArg reads non-negative integers only', () => {
    expect([intArg('0'), intArg('12'), intArg('-1'), intArg('1.5'), intArg(undefined), intArg('x')]).toEqual([0, 12, null, null, null, null]);
  });
});
