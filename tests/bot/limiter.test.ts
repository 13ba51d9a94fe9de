import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/bot/limiter.js';

function limiter(userCooldownMs: number, channelPerMinute: number) {
  const clock = { now: 1_000_000 };
  return { clock, limiter: new RateLimiter({ userCooldownMs, channelPerMinute, now: () => clock.now }) };
}

describe('RateLimiter', () => {
  it('holds a user for the cooldown and tells when they may ask again', () => {
    const { clock, limiter: l } = limiter(5000, 0);
    expect(l.take('u1', 'c1')).toEqual({ ok: true });
    clock.now += 1000;
    expect(l.take('u1', 'c1')).toEqual({ ok: false, scope: 'user', retryAt: 1_005_000, first: true });
    expect(l.take('u2', 'c1')).toEqual({ ok: true });
    clock.now += 4000;
    expect(l.take('u1', 'c1')).toEqual({ ok: true });
  });

  it('a refused attempt does not extend the cooldown', () => {
    const { clock, limiter: l } = limiter(5000, 0);
    l.take('u1', null);
    clock.now += 4999;
    expect(l.take('u1', null)).toMatchObject({ ok: false, retryAt: 1_005_000 });
    clock.now += 1;
    expect(l.take('u1', null)).toEqual({ ok: true });
  });

  it('allows N answers per channel in any 60-second window', () => {
    const { clock, limiter: l } = limiter(0, 2);
    expect(l.take('a', 'c1').ok).toBe(true);
    clock.now += 10_000;
    expect(l.take('b', 'c1').ok).toBe(true);
    expect(l.take('c', 'c1')).toEqual({ ok: false, scope: 'channel', retryAt: 1_060_000, first: true });
    expect(l.take('c', 'c2').ok).toBe(true);
    clock.now = 1_060_000;
    expect(l.take('c', 'c1').ok).toBe(true);
    expect(l.take('d', 'c1')).toMatchObject({ ok: false, retryAt: 1_070_000 });
  });

  it('marks only the first public refusal of a window as worth telling; private ones do not count', () => {
    const { clock, limiter: l } = limiter(10_000, 0);
    l.take('u1', 'c1');
    expect(l.take('u1', 'c1', 'private')).toMatchObject({ ok: false, first: true });
    expect(l.take('u1', 'c1')).toMatchObject({ ok: false, first: true });
    expect(l.take('u1', 'c1')).toMatchObject({ ok: false, first: false });
    clock.now += 10_000;
    l.take('u1', 'c1');
    expect(l.take('u1', 'c1')).toMatchObject({ ok: false, first: true });
  });

  it('zero disables a limit; a null channel (ephemeral answers) is never counted', () => {
    const { limiter: l } = limiter(0, 0);
    for (let i = 0; i < 100; i++) expect(l.take('u1', 'c1').ok).toBe(true);
    const { limiter: c } = limiter(0, 1);
    for (let i = 0; i < 5; i++) expect(c.take(`u${i}`, null).ok).toBe(true);
  });
});
