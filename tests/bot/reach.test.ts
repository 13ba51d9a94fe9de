import type { Client } from 'discord.js';
import { describe, expect, it } from 'vitest';
import { botReach } from '../../src/bot/reach.js';
import { renderAbout } from '../../src/bot/render.js';
import type { CorpusInfo } from '../../src/index/types.js';

/** A client with `local` guilds cached, and a ShardClientUtil whose fetchClientValues does `fetch`. */
function client(local: number, shard: { ids: number[]; count: number; fetch: () => Promise<unknown> } | null): Client {
  return {
    guilds: { cache: { size: local } },
    shard: shard && { ids: shard.ids, count: shard.count, fetchClientValues: shard.fetch },
  } as unknown as Client;
}

describe('botReach: servers for /about', () => {
  it('not sharded: the local guild count, no shard', async () => {
    expect(await botReach(client(3, null))).toEqual({ servers: 3, complete: true, shard: null });
  });

  it('sharded: the guild counts of every shard, summed, and this shard', async () => {
    const reach = await botReach(client(3, { ids: [1], count: 3, fetch: async () => [4, 3, 5] }));
    expect(reach).toEqual({ servers: 12, complete: true, shard: { ids: [1], count: 3 } });
  });

  it('a shard that cannot answer (being respawned): the local count, marked incomplete', async () => {
    const reach = await botReach(client(3, { ids: [1], count: 2, fetch: () => Promise.reject(new Error('Shard 0 has no active process or worker.')) }));
    expect(reach).toEqual({ servers: 3, complete: false, shard: { ids: [1], count: 2 } });
  });

  it('a manager that never answers: the local count after the timeout', async () => {
    const reach = await botReach(client(2, { ids: [0], count: 2, fetch: () => new Promise(() => {}) }), 20);
    expect(reach).toEqual({ servers: 2, complete: false, shard: { ids: [0], count: 2 } });
  });

  it('an answer that is not a count per shard: the local count', async () => {
    const reach = await botReach(client(2, { ids: [0], count: 2, fetch: async () => [1, undefined] }));
    expect(reach.complete).toBe(false);
  });
});

describe('/about with the reach', () => {
  const info: CorpusInfo = { documents: 1, articles: 1, headlines: 0, firstDate: null, lastDate: null, outlets: [], embedder: 'use', builtAt: '2025-01-01T00:00:00.000Z' };
  const fields = (reach: Parameters<typeof renderAbout>[1]) =>
    Object.fromEntries(renderAbout(info, reach).embeds![0]!.fields!.filter((f) => ['Servers', 'Shard'].includes(f.name)).map((f) => [f.name, f.value]));

  it('shows servers, and the shard (numbered from 0) with the count when sharded', () => {
    expect(fields({ servers: 5, complete: true, shard: null })).toEqual({ Servers: '5' });
    expect(fields({ servers: 12, complete: true, shard: { ids: [1], count: 3 } })).toEqual({ Servers: '12', Shard: '1 (of 3)' });
    expect(fields({ servers: 3, complete: false, shard: { ids: [1], count: 2 } })).toEqual({ Servers: '3 (this shard only: the others did not answer)', Shard: '1 (of 2)' });
  });
});
