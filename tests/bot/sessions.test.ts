import { describe, expect, it } from 'vitest';
import { SessionStore } from '../../src/bot/sessions.js';

describe('SessionStore', () => {
  it('returns what was stored under a short id safe for custom ids', () => {
    const store = new SessionStore<string>({ ttlMs: 1000, max: 10 });
    const id = store.put('value');
    expect(id).toMatch(/^[\w-]{8}$/);
    expect(store.get(id)).toBe('value');
    expect(store.get('missing')).toBeUndefined();
  });

  it('forgets entries after the TTL', () => {
    let now = 0;
    const store = new SessionStore<number>({ ttlMs: 1000, max: 10, now: () => now });
    const id = store.put(1);
    now = 999;
    expect(store.get(id)).toBe(1);
    now = 1000;
    expect(store.get(id)).toBeUndefined();
  });

  it('drops the oldest entries beyond max', () => {
    const store = new SessionStore<number>({ ttlMs: 60_000, max: 3 });
    const ids = [1, 2, 3, 4].map((n) => store.put(n));
    expect(store.size).toBe(3);
    expect(store.get(ids[0]!)).toBeUndefined();
    expect(ids.slice(1).map((id) => store.get(id))).toEqual([2, 3, 4]);
  });
});
