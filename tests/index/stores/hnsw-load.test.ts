import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hnswFactory, hnswStores, type GraphReader } from '../../../src/index/stores/hnsw.js';
import type { BuildVectorStore } from '../../../src/index/vector-store.js';

const DIMS = 16;

/** Deterministic unit vectors (a small LCG): no ties, no luck. */
function vectors(count: number, seed: number): Float32Array[] {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  return Array.from({ length: count }, () => {
    const v = Float32Array.from({ length: DIMS }, next);
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  });
}

const STORED = vectors(400, 7);
const QUERIES = vectors(15, 8);
const REMOVED = ['c3', 'c150', 'c399'];

/** The exact top k by cosine in float64, ids only, ties to the lower label: what any search must return. */
function exactTopK(query: Float32Array, k: number, removed: readonly string[]): string[] {
  return STORED.map((v, label) => ({ id: `c${label}`, label, score: v.reduce((sum, x, i) => sum + x * query[i]!, 0) }))
    .filter((hit) => !removed.includes(hit.id))
    .sort((a, b) => b.score - a.score || a.label - b.label)
    .slice(0, k)
    .map((hit) => hit.id);
}

/** hnswlib's reader, held until `release()`, counting the searches each graph it read answers. */
function gatedReader() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const counts = { graphSearches: 0 };
  const reader: GraphReader = {
    async read(path, dimensions) {
      await gate;
      const graph = await realRead(path, dimensions);
      const searchKnn = graph.searchKnn.bind(graph);
      // An own property: the prototype's method is read-only.
      Object.defineProperty(graph, 'searchKnn', {
        value: (...args: Parameters<typeof searchKnn>) => {
          counts.graphSearches++;
          return searchKnn(...args);
        },
      });
      return graph;
    },
  };
  return { reader, release, counts };
}

async function realRead(path: string, dimensions: number) {
  const graph = new hnswlib.HierarchicalNSW('cosine', dimensions);
  await graph.readIndex(path);
  return graph;
}

const idsOf = async (store: BuildVectorStore, query: Float32Array, k: number) => (await store.search(query, k)).map((h) => h.id);

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'newsdesk-hnsw-load-'));
  const store = await hnswFactory.create(DIMS, STORED.length);
  await store.add(STORED.map((vector, i) => ({ id: `c${i}`, vector })));
  await store.remove(REMOVED.slice(0, 2));
  await store.save(dir);
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('a loaded hnswlib store before its graph is read', () => {
  it('answers by an exact scan equal to exact search, then switches to the graph once it is read', async () => {
    const { reader, release, counts } = gatedReader();
    // The flat file read ten vectors at a time: a scan over many pieces.
    const store = await hnswStores(reader, 10 * DIMS * 4).load(dir, DIMS);
    const indexed = store.whenIndexed!();
    // Removed while the graph is still unread: neither the scan nor the graph may return it.
    await store.remove([REMOVED[2]!]);
    for (const query of QUERIES) expect(await idsOf(store, query, 10)).toEqual(exactTopK(query, 10, REMOVED));
    expect(counts.graphSearches).toBe(0);

    release();
    await indexed;
    for (const query of QUERIES) expect(await idsOf(store, query, 10)).toEqual(exactTopK(query, 10, REMOVED));
    expect(counts.graphSearches).toBe(QUERIES.length);
  });

  it('gives the scores hnswlib gives, to float precision', async () => {
    const { reader, release } = gatedReader();
    const store = await hnswStores(reader).load(dir, DIMS);
    const indexed = store.whenIndexed!();
    const scanned = await store.search(QUERIES[0]!, 5);
    release();
    await indexed;
    const searched = await store.search(QUERIES[0]!, 5);
    expect(scanned.map((h) => h.id)).toEqual(searched.map((h) => h.id));
    scanned.forEach((hit, i) => expect(hit.score).toBeCloseTo(searched[i]!.score, 5));
  });

  it('keeps answering by the scan when the graph cannot be read, and whenIndexed says why', async () => {
    const broken: GraphReader = { read: async (path) => Promise.reject(new Error(`${path}: unreadable`)) };
    const store = await hnswStores(broken).load(dir, DIMS);
    await expect(store.whenIndexed!()).rejects.toThrow('vectors.hnsw: unreadable');
    for (const query of QUERIES.slice(0, 5)) expect(await idsOf(store, query, 20)).toEqual(exactTopK(query, 20, REMOVED.slice(0, 2)));
  });

  it('reads its graph only once asked to, answering by the scan until then', async () => {
    let reads = 0;
    const counting: GraphReader = { read: (path, dims) => (reads++, realRead(path, dims)) };
    const store = await hnswStores(counting).load(dir, DIMS);
    expect(await idsOf(store, QUERIES[1]!, 3)).toEqual(exactTopK(QUERIES[1]!, 3, REMOVED.slice(0, 2)));
    expect(reads).toBe(0);
    await store.whenIndexed!();
    await store.whenIndexed!();
    expect(reads).toBe(1);
  });

  it('reads no graph for a store loaded to be updated', async () => {
    const { reader, counts } = gatedReader();
    let reads = 0;
    const counting: GraphReader = { read: (path, dims) => (reads++, reader.read(path, dims)) };
    const store = await hnswStores(counting).load(dir, DIMS, { purpose: 'update' });
    expect(await store.count()).toBe(STORED.length - 2);
    expect(reads).toBe(0);
    expect(counts.graphSearches).toBe(0);
  });
});
