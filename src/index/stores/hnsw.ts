import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { withTempFile, writeFileAtomic } from '../fs-atomic.js';
import type { BuildVectorStore, VectorHit, VectorItem, VectorStoreFactory } from '../vector-store.js';

/*
 * hnswlib-node cosine index for search, with the vectors also kept in one flat Float32Array: hnswlib
 * hands a vector out only as a fresh number[] (70 µs a copy), and dedup compares hundreds a question.
 * Files in a build: vectors.hnsw (the graph), vectors.f32 (the flat array, label order) and
 * vector-ids.json (the chunk id of each label, null once removed).
 */
const M = 16;
const EF_CONSTRUCTION = 200;
const RANDOM_SEED = 100;
const MIN_EF = 64;

export const HNSW_FILES = { graph: 'vectors.hnsw', vectors: 'vectors.f32', ids: 'vector-ids.json' } as const;

export const hnswFactory: VectorStoreFactory = {
  kind: 'embedded',
  async create(dimensions, capacity) {
    const index = new hnswlib.HierarchicalNSW('cosine', dimensions);
    index.initIndex(Math.max(1, capacity), M, EF_CONSTRUCTION, RANDOM_SEED);
    return new HnswStore(index, dimensions, [], new Float32Array(Math.max(1, capacity) * dimensions));
  },
  async load(dir, dimensions) {
    const index = new hnswlib.HierarchicalNSW('cosine', dimensions);
    await index.readIndex(join(dir, HNSW_FILES.graph));
    const ids = JSON.parse(await readFile(join(dir, HNSW_FILES.ids), 'utf8')) as Array<string | null>;
    const flat = floats(await readFile(join(dir, HNSW_FILES.vectors)));
    if (ids.length !== index.getCurrentCount() || flat.length !== ids.length * dimensions) {
      throw new Error(`${dir}: ${index.getCurrentCount()} vectors in the graph, ${ids.length} ids, ${flat.length / dimensions} stored vectors`);
    }
    return new HnswStore(index, dimensions, ids, flat);
  },
};

/** A Float32Array over the file's bytes, copied only when the buffer is not 4-byte aligned. */
function floats(bytes: Buffer): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new Error(`${bytes.byteLength} bytes is not a whole number of floats`);
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return new Float32Array(Uint8Array.prototype.slice.call(bytes).buffer);
}

class HnswStore implements BuildVectorStore {
  private readonly labelOf = new Map<string, number>();
  private live = 0;

  constructor(
    private readonly index: hnswlib.HierarchicalNSW,
    readonly dimensions: number,
    /** Chunk id by label; null for a removed one (hnswlib keeps the label, marked deleted). */
    private readonly ids: Array<string | null>,
    private flat: Float32Array,
  ) {
    ids.forEach((id, label) => {
      if (id === null) return;
      this.labelOf.set(id, label);
      this.live++;
    });
  }

  async count() {
    return this.live;
  }

  async add(items: ReadonlyArray<VectorItem>) {
    await this.remove(items.map((item) => item.id).filter((id) => this.labelOf.has(id)));
    this.reserve(this.ids.length + items.length);
    for (const { id, vector } of items) {
      const label = this.ids.length;
      this.index.addPoint(Array.from(vector), label);
      this.flat.set(vector, label * this.dimensions);
      this.ids.push(id);
      this.labelOf.set(id, label);
      this.live++;
    }
  }

  async remove(ids: readonly string[]) {
    for (const id of ids) {
      const label = this.labelOf.get(id);
      if (label === undefined) continue;
      this.index.markDelete(label);
      this.ids[label] = null;
      this.labelOf.delete(id);
      this.live--;
    }
  }

  async search(query: Float32Array, k: number): Promise<VectorHit[]> {
    // hnswlib throws when it cannot return k results, which deletions make possible.
    const n = Math.min(k, this.live);
    if (n === 0) return [];
    this.index.setEf(Math.max(MIN_EF, n));
    const { neighbors, distances } = this.index.searchKnn(Array.from(query), n);
    return neighbors.map((label, i) => ({ id: this.ids[label]!, score: 1 - distances[i]! }));
  }

  async vectors(ids: readonly string[]) {
    return ids.map((id) => {
      const label = this.labelOf.get(id);
      return label === undefined ? undefined : this.flat.subarray(label * this.dimensions, (label + 1) * this.dimensions);
    });
  }

  async save(dir: string) {
    await withTempFile(join(dir, HNSW_FILES.graph), async (temp) => {
      await this.index.writeIndex(temp);
    });
    const used = this.flat.subarray(0, this.ids.length * this.dimensions);
    await writeFileAtomic(join(dir, HNSW_FILES.vectors), new Uint8Array(used.buffer, used.byteOffset, used.byteLength));
    await writeFileAtomic(join(dir, HNSW_FILES.ids), JSON.stringify(this.ids));
  }

  /**
   * Room for `size` labels in both the graph and the flat array, growing by a quarter so adds stay
   * amortized: a loaded index has no spare room, and doubling it for a re-index that adds one
   * document would copy and zero twice its size (400 MiB at 100k chunks) for nothing.
   */
  private reserve(size: number) {
    if (size <= this.index.getMaxElements() && size * this.dimensions <= this.flat.length) return;
    const capacity = Math.max(size, Math.ceil(this.index.getMaxElements() * 1.25));
    this.index.resizeIndex(capacity);
    const grown = new Float32Array(capacity * this.dimensions);
    grown.set(this.flat.subarray(0, this.ids.length * this.dimensions));
    this.flat = grown;
  }
}
