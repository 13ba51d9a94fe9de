import { describe, expect, it } from 'vitest';
import { redact, structuredLog } from '../../src/bot/log.js';

describe('structuredLog', () => {
  it('writes one JSON object per line with a timestamp', () => {
    const lines: string[] = [];
    const log = structuredLog((l) => lines.push(l), [], () => Date.UTC(2025, 2, 11));
    log({ event: 'interaction', command: 'ask', ms: 12 });
    expect(lines).toEqual(['{"time":"2025-03-11T00:00:00.000Z","event":"interaction","command":"ask","ms":12}']);
  });

  it('never writes the token or interaction tokens, wherever they appear', () => {
    const token = 'MTE5NjQyMzUzODI3ODUzMTA3Mw.ZmFrZQ.abcdefghijklmnopqrstuvwxyz';
    const lines: string[] = [];
    const log = structuredLog((l) => lines.push(l), [token]);
    log({ event: 'error', error: `login failed for ${token}`, url: '/api/v10/webhooks/123/aW50ZXJhY3Rpb246MTU3NTgyOTU1MzU5Nzc3NTg3Mg/messages/@original' });
    expect(lines[0]).not.toContain(token);
    expect(lines[0]).toContain('[redacted]');
    expect(lines[0]).toContain('webhooks/123/[redacted]/messages');
    expect(redact('interactions/1/abcdefghijklmnopqrstuvwxyz/callback', [])).toBe('interactions/1/[redacted]/callback');
  });
});
