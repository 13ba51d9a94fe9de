/**
 * How many servers the bot is in, and which shard answers: /about. Under the ShardingManager each
 * shard process caches only its own guilds, so the total is summed over every shard.
 */
import type { Client } from 'discord.js';

export interface Reach {
  /** Servers (guilds) the bot is in: summed over all shards when they answered. */
  servers: number;
  /** false: only this shard's count (the others did not answer in time). */
  complete: boolean;
  /** This process's shard(s) and the total; null when the bot is not sharded. */
  shard: { ids: number[]; count: number } | null;
}

/** Well within Discord's 3 s to answer an interaction that was not deferred. */
const FETCH_TIMEOUT_MS = 1000;

export async function botReach(client: Client, timeoutMs = FETCH_TIMEOUT_MS): Promise<Reach> {
  const local = client.guilds.cache.size;
  const util = client.shard;
  if (!util) return { servers: local, complete: true, shard: null };
  const shard = { ids: [...util.ids], count: util.count };
  try {
    const counts = await withTimeout(util.fetchClientValues('guilds.cache.size'), timeoutMs);
    if (!Array.isArray(counts) || !counts.every((n) => Number.isInteger(n))) throw new Error('not a count per shard');
    return { servers: (counts as number[]).reduce((a, b) => a + b, 0), complete: true, shard };
  } catch {
    // A shard being respawned, or a manager too slow: /about still answers, with what it knows.
    return { servers: local, complete: false, shard };
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  promise.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
