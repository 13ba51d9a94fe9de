import { mkdtemp, rm, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HNSW_FILES, hnswFactory } from '../../../src/index/stores/hnsw.js';

/** A unit vector along axis `i` of 4, tilted a little towards the next axis so neighbours differ. */
function axis(i: number): Float32Array {
  const v = new Float32Array(4);
  v[i % 4] = 1;
  v[(i + 1) % 4] = 0.1;
  const norm = Math.hypot(...v);
  return v.map((x) => x / norm);
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'newsdesk-hnsw-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('the hnswlib vector store', () => {
  it('finds vectors by chunk id, nearest first, and grows past its initial capacity', async () => {
    const store = await hnswFactory.create(4, 1);
    await store.add([0, 1, 2].map((i) => ({ id: `doc#${i}`, vector: axis(i) })));
    expect(await store.count()).toBe(3);
    const hits = await store.search(axis(0), 2);
    expect(hits.map((h) => h.id)).toEqual(['doc#0', 'doc#1']);
    expect(hits[0]!.score).toBeCloseTo(1, 5);
  });

  it('returns stored vectors as views in the order asked, undefined for an unknown id', async () => {
    const store = await hnswFactory.create(4, 4);
    await store.add([{ id: 'a', vector: axis(0) }, { id: 'b', vector: axis(2) }]);
    const [b, missing, a] = await store.vectors(['b', 'nope', 'a']);
    expect(Array.from(b!)).toEqual(Array.from(axis(2)));
    expect(missing).toBeUndefined();
    expect(Array.from(a!)).toEqual(Array.from(axis(0)));
    expect(a!.buffer).toBe(b!.buffer); // one flat array, no copies
  });

  it('leaves removed ids out of search, vectors and count, even when k exceeds what is left', async () => {
    const store = await hnswFactory.create(4, 3);
    await store.add([0, 1, 2].map((i) => ({ id: `c${i}`, vector: axis(i) })));
    await store.remove(['c1', 'unknown']);
    expect(await store.count()).toBe(2);
    expect((await store.search(axis(1), 10)).map((h) => h.id).sort()).toEqual(['c0', 'c2']);
    expect(await store.vectors(['c1'])).toEqual([undefined]);
  });

  it('replaces the vector of an id added again', async () => {
    const store = await hnswFactory.create(4, 2);
    await store.add([{ id: 'x', vector: axis(0) }]);
    await store.add([{ id: 'x', vector: axis(3) }]);
    expect(await store.count()).toBe(1);
    expect((await store.search(axis(3), 1))[0]).toMatchObject({ id: 'x' });
    expect(Array.from((await store.vectors(['x']))[0]!)).toEqual(Array.from(axis(3)));
  });

  it('saves and loads ids, vectors and removals, and the loaded store takes further changes', async () => {
    const store = await hnswFactory.create(4, 3);
    await store.add([0, 1, 2].map((i) => ({ id: `c${i}`, vector: axis(i) })));
    await store.remove(['c0']);
    await store.save(dir);
    const loaded = await hnswFactory.load(dir, 4);
    expect(await loaded.count()).toBe(2);
    expect((await loaded.search(axis(2), 1))[0]!.id).toBe('c2');
    await loaded.add([{ id: 'c3', vector: axis(3) }]);
    await loaded.remove(['c1']);
    expect((await loaded.search(axis(1), 5)).map((h) => h.id).sort()).toEqual(['c2', 'c3']);
  });

  it('refuses to load a build whose vector file was truncated', async () => {
    const store = await hnswFactory.create(4, 2);
    await store.add([{ id: 'a', vector: axis(0) }, { id: 'b', vector: axis(1) }]);
    await store.save(dir);
    await truncate(join(dir, HNSW_FILES.vectors), 16);
    await expect(hnswFactory.load(dir, 4)).rejects.toThrow('2 ids, 1 stored vectors in the base and 0 in the delta');
  });
});
