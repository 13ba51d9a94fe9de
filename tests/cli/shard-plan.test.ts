import { describe, expect, it } from 'vitest';
import { shardCount, shardsHealth, spawnDelayMs } from '../../src/cli/shards.js';

describe('how many shards, how far apart', () => {
  it('SHARDS=N is taken as given; auto is what GET /gateway/bot recommends, at least 1', () => {
    expect(shardCount(3, { shards: 1, maxConcurrency: 1 })).toBe(3);
    expect(shardCount('auto', { shards: 7, maxConcurrency: 1 })).toBe(7);
    expect(shardCount('auto', { shards: 0, maxConcurrency: 1 })).toBe(1);
  });

  it('shards start 5.5 s apart within one identify bucket: max_concurrency buckets start side by side', () => {
    expect([spawnDelayMs(1), spawnDelayMs(16), spawnDelayMs(0)]).toEqual([5500, 344, 5500]);
  });
});

describe('the manager health check', () => {
  const process = (pid: number) => ({ pid }) as never;

  it('200 when every shard process runs with its gateway ready', () => {
    expect(shardsHealth([{ id: 0, ready: true, process: process(11) }, { id: 1, ready: true, process: process(12) }], 2)).toEqual({
      status: 200,
      body: { ok: true, count: 2, shards: [{ id: 0, pid: 11, ready: true }, { id: 1, pid: 12, ready: true }] },
    });
  });

  it('503 while a shard is down, not ready, or not started yet', () => {
    expect(shardsHealth([{ id: 0, ready: true, process: process(11) }, { id: 1, ready: false, process: null }], 2)).toEqual({
      status: 503,
      body: { ok: false, count: 2, shards: [{ id: 0, pid: 11, ready: true }, { id: 1, pid: null, ready: false }] },
    });
    expect(shardsHealth([{ id: 0, ready: true, process: process(11) }], 2).status).toBe(503);
  });
});
