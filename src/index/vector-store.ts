import hnswlib from 'hnswlib-node';
import { withTempFile } from './fs-atomic.js';

/** Nearest-neighbour search over unit vectors. One of the engine's two stateful parts. */
export interface VectorStore {
  readonly dimensions: number;
  readonly size: number;
  /** Labels are positions: the i-th vector added gets label i, which is the chunk's index. */
  add(vectors: Float32Array[]): void;
  /** Best first; `score` is cosine similarity. */
  search(query: Float32Array, k: number): Array<{ label: number; score: number }>;
  /** The stored (unit) vector of a label, for comparing two results with each other. */
  vector(label: number): Float32Array;
  save(path: string): Promise<void>;
}

const M = 16;
const EF_CONSTRUCTION = 200;
const RANDOM_SEED = 100;
const MIN_EF = 64;

/** An empty hnswlib cosine index with room for `capacity` vectors. */
export function createVectorStore(dimensions: number, capacity: number): VectorStore {
  const index = new hnswlib.HierarchicalNSW('cosine', dimensions);
  index.initIndex(Math.max(1, capacity), M, EF_CONSTRUCTION, RANDOM_SEED);
  return wrap(index, dimensions);
}

export async function loadVectorStore(path: string, dimensions: number): Promise<VectorStore> {
  const index = new hnswlib.HierarchicalNSW('cosine', dimensions);
  await index.readIndex(path);
  return wrap(index, dimensions);
}

function wrap(index: hnswlib.HierarchicalNSW, dimensions: number): VectorStore {
  return {
    dimensions,
    get size() {
      return index.getCurrentCount();
    },
    add(vectors) {
      const start = index.getCurrentCount();
      vectors.forEach((vector, i) => index.addPoint(Array.from(vector), start + i));
    },
    search(query, k) {
      const n = Math.min(k, index.getCurrentCount());
      if (n === 0) return [];
      index.setEf(Math.max(MIN_EF, n));
      const { neighbors, distances } = index.searchKnn(Array.from(query), n);
      return neighbors.map((label, i) => ({ label, score: 1 - distances[i]! }));
    },
    vector: (label) => Float32Array.from(index.getPoint(label)),
    save: (path) =>
      withTempFile(path, async (temp) => {
        await index.writeIndex(temp);
      }),
  };
}
