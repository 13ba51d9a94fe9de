import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FOLD_SHARE, HNSW_FILES, hnswFactory } from '../../../src/index/stores/hnsw.js';
import type { BuildVectorStore } from '../../../src/index/vector-store.js';

const DIMS = 8;

/** Deterministic unit vectors (a small LCG), so that the test has no ties and no luck. */
function vectors(count: number, seed: number): Float32Array[] {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  return Array.from({ length: count }, () => {
    const v = Float32Array.from({ length: DIMS }, next);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

const items = (from: number, vs: Float32Array[]) => vs.map((vector, i) => ({ id: `c${from + i}`, vector }));
const idsOf = async (store: BuildVectorStore, query: Float32Array, k: number) => (await store.search(query, k)).map((h) => h.id);
const inode = async (path: string) => (await stat(path)).ino;

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'newsdesk-segments-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** Saves into a fresh directory named `name` under the test's root. */
async function saveAs(store: BuildVectorStore, name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir);
  await store.save(dir);
  return dir;
}

const BASE = vectors(60, 1);
const RECENT = vectors(5, 2); // 5 <= FOLD_SHARE * 60: stays a delta
const QUERIES = vectors(20, 3);

describe('the hnswlib store in a base and a delta segment', () => {
  it('adds to a delta that leaves the base files as they were (hard-linked) and searches both as one index would', async () => {
    expect(RECENT.length).toBeLessThanOrEqual(FOLD_SHARE * BASE.length);
    const first = await hnswFactory.create(DIMS, BASE.length);
    await first.add(items(0, BASE));
    const one = await saveAs(first, 'one');
    const updated = await hnswFactory.load(one, DIMS, { purpose: 'update' });
    // Loaded for update, the base vectors are read from the file one by one.
    expect((await updated.vectors(['c3', 'c59'])).map((v) => Array.from(v!))).toEqual([Array.from(BASE[3]!), Array.from(BASE[59]!)]);
    await updated.add(items(BASE.length, RECENT));
    const two = await saveAs(updated, 'two');
    for (const name of [HNSW_FILES.graph, HNSW_FILES.vectors]) expect(await inode(join(two, name))).toBe(await inode(join(one, name)));
    expect((await stat(join(two, HNSW_FILES.deltaVectors))).size).toBe(RECENT.length * DIMS * 4);

    const segmented = await hnswFactory.load(two, DIMS);
    const single = await hnswFactory.create(DIMS, 1);
    await single.add(items(0, [...BASE, ...RECENT]));
    expect(await segmented.count()).toBe(65);
    for (const query of QUERIES) expect(await idsOf(segmented, query, 10)).toEqual(await idsOf(single, query, 10));
    const ids = ['c64', 'c3', 'nope', 'c60'];
    expect((await segmented.vectors(ids)).map((v) => v && Array.from(v))).toEqual((await single.vectors(ids)).map((v) => v && Array.from(v)));
  });

  it('hides removed ids of both segments from search, vectors and count, before and after a save', async () => {
    const first = await hnswFactory.create(DIMS, BASE.length);
    await first.add(items(0, BASE));
    const updated = await hnswFactory.load(await saveAs(first, 'one'), DIMS, { purpose: 'update' });
    await updated.add(items(BASE.length, RECENT));
    await updated.remove(['c0', 'c61']);
    const loaded = await hnswFactory.load(await saveAs(updated, 'two'), DIMS);
    await loaded.remove(['c1', 'c62']);
    const gone = ['c0', 'c1', 'c61', 'c62'];
    expect(await loaded.count()).toBe(61);
    expect(await loaded.vectors(gone)).toEqual([undefined, undefined, undefined, undefined]);
    for (const id of gone) {
      const vector = [...BASE, ...RECENT][Number(id.slice(1))]!;
      expect(await idsOf(loaded, vector, 65)).not.toContain(id);
      expect(await idsOf(loaded, vector, 65)).toHaveLength(61);
    }
    // A saved tombstone stays: loading the build again hides c0 and c61 (c1, c62 were removed after it).
    const again = await hnswFactory.load(join(root, 'two'), DIMS);
    expect(await again.count()).toBe(63);
    expect(await idsOf(again, BASE[0]!, 65)).not.toContain('c0');
  });

  it(`folds the delta into a new base once it passes ${FOLD_SHARE * 100}% of it, keeping every label's id`, async () => {
    const first = await hnswFactory.create(DIMS, BASE.length);
    await first.add(items(0, BASE));
    const one = await saveAs(first, 'one');
    const updated = await hnswFactory.load(one, DIMS, { purpose: 'update' });
    const many = vectors(7, 4); // 7 > 6
    await updated.add(items(BASE.length, many));
    await updated.remove(['c61']);
    const two = await saveAs(updated, 'two');
    expect(await inode(join(two, HNSW_FILES.graph))).not.toBe(await inode(join(one, HNSW_FILES.graph)));
    await expect(stat(join(two, HNSW_FILES.deltaGraph))).rejects.toThrow('ENOENT');
    expect((await stat(join(two, HNSW_FILES.vectors))).size).toBe(67 * DIMS * 4);
    const labels = JSON.parse(await readFile(join(two, HNSW_FILES.ids), 'utf8')) as Array<string | null>;
    expect(labels).toEqual([...BASE.map((_, i) => `c${i}`), 'c60', null, ...[62, 63, 64, 65, 66].map((i) => `c${i}`)]);
    const loaded = await hnswFactory.load(two, DIMS);
    const single = await hnswFactory.create(DIMS, 1);
    await single.add(items(0, [...BASE, ...many]));
    await single.remove(['c61']);
    for (const query of QUERIES) expect(await idsOf(loaded, query, 10)).toEqual(await idsOf(single, query, 10));
  });

  it('refuses to load (or carry over) a base graph torn short, even for an update that would not read it', async () => {
    const first = await hnswFactory.create(DIMS, BASE.length);
    await first.add(items(0, BASE));
    const one = await saveAs(first, 'one');
    const { truncate } = await import('node:fs/promises');
    await truncate(join(one, HNSW_FILES.graph), 1000);
    await expect(hnswFactory.load(one, DIMS, { purpose: 'update' })).rejects.toThrow('60 vectors in 1000 bytes for 60 stored vectors');
  });
});
