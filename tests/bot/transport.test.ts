import { describe, expect, it } from 'vitest';
import { backoffMs, isTransientNetworkError, retryingRequest } from '../../src/bot/transport.js';

const socketError = () => Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' });

describe('isTransientNetworkError', () => {
  it('is true for dropped sockets, resets and connect timeouts, also as a cause; false for anything else', () => {
    expect(isTransientNetworkError(socketError())).toBe(true);
    expect(isTransientNetworkError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(true);
    expect(isTransientNetworkError(new TypeError('fetch failed', { cause: Object.assign(new Error('t'), { code: 'UND_ERR_CONNECT_TIMEOUT' }) }))).toBe(true);
    expect(isTransientNetworkError(Object.assign(new Error('x'), { code: 'ENOTFOUND' }))).toBe(false);
    expect(isTransientNetworkError(Object.assign(new Error('x'), { code: 50035 }))).toBe(false);
    expect(isTransientNetworkError(null)).toBe(false);
  });
});

describe('backoffMs', () => {
  it('doubles from the base, jittered to between half and all of it', () => {
    expect([0, 1, 2].map((n) => backoffMs(n, 100, () => 1))).toEqual([100, 200, 400]);
    expect([0, 1, 2].map((n) => backoffMs(n, 100, () => 0))).toEqual([50, 100, 200]);
  });
});

describe('retryingRequest', () => {
  it('sends again after transient errors, logging each retry, and gives up after the last retry', async () => {
    let calls = 0;
    const logs: unknown[] = [];
    const ok = { status: 200 } as never;
    const flaky = retryingRequest({ log: (f) => logs.push(f), retries: 2, baseDelayMs: 1 }, async () => {
      calls += 1;
      if (calls < 3) throw socketError();
      return ok;
    });
    expect(await flaky('http://127.0.0.1/api/v10/x', { method: 'PATCH' })).toBe(ok);
    expect(calls).toBe(3);
    expect(logs).toMatchObject([
      { event: 'retry', method: 'PATCH', path: '/api/v10/x', attempt: 1, error: 'UND_ERR_SOCKET' },
      { event: 'retry', attempt: 2 },
    ]);

    calls = 0;
    const dead = retryingRequest({ log: () => {}, retries: 2, baseDelayMs: 1 }, async () => {
      calls += 1;
      throw socketError();
    });
    await expect(dead('http://127.0.0.1/x', {})).rejects.toMatchObject({ code: 'UND_ERR_SOCKET' });
    expect(calls).toBe(3);
  });

  it('does not retry other errors', async () => {
    let calls = 0;
    const failing = retryingRequest({ log: () => {}, baseDelayMs: 1 }, async () => {
      calls += 1;
      throw new Error('bad');
    });
    await expect(failing('http://127.0.0.1/x', {})).rejects.toThrow('bad');
    expect(calls).toBe(1);
  });
});
