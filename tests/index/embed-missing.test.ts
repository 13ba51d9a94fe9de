/**
 * The indexer's embedding loop (embedMissing): what it sends to the embedder, in which order and
 * how many calls at once, what lands in the cache, and how a failed call ends it.
 */
import { describe, expect, it } from 'vitest';
import type { Embedder } from '../../src/index/embedder.js';
import type { EmbeddingCache } from '../../src/index/embedding-cache.js';
import { embedMissing } from '../../src/index/indexer.js';
import type { Chunk, ProgressEvent } from '../../src/index/types.js';

function memoryCache(): EmbeddingCache & { stored: Map<string, Float32Array> } {
  const stored = new Map<string, Float32Array>();
  return { stored, get: (text) => stored.get(text), set: (text, v) => void stored.set(text, v), save: async () => {} };
}

/** A text's vector: its length, so that every vector says which text it belongs to. */
const vectorOf = (text: string) => Float32Array.of(text.length);

/**
 * An embedder whose calls finish only when the test lets them, in an order it picks: it records
 * every call and the most that were running at once.
 */
function heldEmbedder(threads: number | undefined, failOn = -1) {
  const calls: string[][] = [];
  const waiting: Array<() => void> = [];
  let running = 0;
  let most = 0;
  const embedder: Embedder = {
    id: 'test:held',
    dimensions: 1,
    ...(threads !== undefined && { threads }),
    async embed(texts) {
      const call = calls.push(texts) - 1;
      most = Math.max(most, ++running);
      await new Promise<void>((resolve) => waiting.push(resolve));
      running--;
      if (call === failOn) throw new Error(`call ${call} failed`);
      return texts.map(vectorOf);
    },
  };
  /** Lets the newest waiting call finish (`newest`: calls finish out of order), or the oldest. */
  const release = async (newest: boolean) => {
    while (waiting.length === 0) await new Promise((r) => setImmediate(r));
    (newest ? waiting.pop() : waiting.shift())!();
    await new Promise((r) => setImmediate(r));
  };
  return { embedder, calls, release, most: () => most, waiting };
}

/** Distinct texts of lengths 1..n in a shuffled order, each in one chunk, one text twice. */
function chunksOf(n: number): Chunk[] {
  const lengths = Array.from({ length: n }, (_, i) => ((i * 37) % n) + 1);
  const texts = [...lengths.map((len) => 'x'.repeat(len)), 'x'.repeat(5)];
  return texts.map((text, i) => ({ id: `d#${i}`, docId: 'd', text, start: 0, end: text.length }));
}

async function run(threads: number | undefined, chunks: Chunk[], { failOn = -1, newest = true } = {}) {
  const held = heldEmbedder(threads, failOn);
  const cache = memoryCache();
  const progress: ProgressEvent[] = [];
  const result = embedMissing(cache, chunks, held.embedder, (p) => progress.push({ ...p }));
  result.catch(() => {});
  while (held.calls.length === 0 || held.waiting.length > 0) await held.release(newest);
  return { held, cache, progress, result };
}

describe("the indexer's embedding loop", () => {
  it('sends the missing texts shortest first in batches of 64, one call at a time to an embedder on the calling thread', async () => {
    const { held, cache, progress, result } = await run(undefined, chunksOf(150));
    await expect(result).resolves.toBe(151);
    expect(held.calls.map((c) => c.length)).toEqual([64, 64, 22]);
    expect(held.calls.flat().map((t) => t.length)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));
    expect(held.most()).toBe(1);
    expect(cache.stored.size).toBe(150);
    for (const [text, v] of cache.stored) expect(Array.from(v)).toEqual([text.length]);
    expect(progress.at(-1)).toEqual({ stage: 'embed', done: 151, total: 151 });
  });

  it('keeps two calls per thread in flight for an embedder on worker threads, storing each as it finishes', async () => {
    const { held, cache, progress, result } = await run(2, chunksOf(600));
    await expect(result).resolves.toBe(601);
    expect(held.calls).toHaveLength(10);
    expect(held.most()).toBe(4);
    expect(cache.stored.size).toBe(600);
    for (const [text, v] of cache.stored) expect(Array.from(v)).toEqual([text.length]);
    const done = progress.map((p) => ('done' in p ? p.done : -1));
    expect(done).toEqual([...done].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual({ stage: 'embed', done: 601, total: 601 });
  });

  it('embeds nothing the cache holds', async () => {
    const chunks = chunksOf(10);
    const held = heldEmbedder(2);
    const cache = memoryCache();
    for (const c of chunks) cache.set(c.text, vectorOf(c.text));
    await expect(embedMissing(cache, chunks, held.embedder, () => {})).resolves.toBe(0);
    expect(held.calls).toEqual([]);
  });

  it('starts no more calls after one fails, and rejects with its error once those running have settled', async () => {
    const { held, result } = await run(2, chunksOf(600), { failOn: 1, newest: false });
    await expect(result).rejects.toThrow('call 1 failed');
    // Calls 0-3 start; 0 finishes and 4 starts; 1 fails: 2, 3 and 4 finish, and no call 5 starts.
    expect(held.calls).toHaveLength(5);
    expect(held.waiting).toHaveLength(0);
  });
});
