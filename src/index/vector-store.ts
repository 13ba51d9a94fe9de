/**
 * Nearest-neighbour search over unit vectors, keyed by chunk id: one of the engine's two stateful
 * parts. The retriever speaks only this interface, which reads a build; writing one is a
 * BuildVectorStore's (the embedded store's), or the database's build writer (STORE=postgres).
 */
export interface VectorStore {
  readonly dimensions: number;
  /** How many vectors are live (added and not removed). */
  count(): Promise<number>;
  /** Best first; `score` is cosine similarity. */
  search(query: Float32Array, k: number): Promise<VectorHit[]>;
  /** The stored unit vectors, in the order asked; undefined for an id the store lacks. Read-only. */
  vectors(ids: readonly string[]): Promise<Array<Float32Array | undefined>>;
  /**
   * Starts loading the store's own index if it has not started, and resolves once searches use
   * it; until then a store may answer by an exact scan (the embedded store before its HNSW graph
   * is read: the same results, found more slowly). Rejects when that index cannot be read
   * (searches go on by the scan). Absent: always indexed.
   */
  whenIndexed?(): Promise<void>;
  close?(): Promise<void>;
}

export interface VectorItem {
  id: string;
  vector: Float32Array;
}

export interface VectorHit {
  id: string;
  score: number;
}

/** A store whose data lives in a build directory: written with the build, read back with it. */
export interface BuildVectorStore extends VectorStore {
  /** Adds vectors under stable ids (a chunk's `id`); an id already present is replaced. */
  add(items: ReadonlyArray<VectorItem>): Promise<void>;
  /** Unknown ids are ignored. */
  remove(ids: readonly string[]): Promise<void>;
  save(dir: string): Promise<void>;
}

/** Which store backs the index. Builds on disk (hnswlib) are the only kind so far. */
export type StoreKind = 'embedded';

export interface VectorStoreFactory {
  readonly kind: StoreKind;
  /** An empty store with room for `capacity` vectors (it grows past it). */
  create(dimensions: number, capacity: number): Promise<BuildVectorStore>;
  /** The store a build wrote; throws on missing or damaged files. */
  load(dir: string, dimensions: number, options?: LoadOptions): Promise<BuildVectorStore>;
}

export interface LoadOptions {
  /**
   * 'update': the store will be changed and saved into a new build, never searched, so it may
   * leave unread what it can carry over to the new build as is. 'search' (the default): ready to answer.
   */
  purpose?: 'search' | 'update';
}

export async function vectorStoreFactory(kind: StoreKind = 'embedded'): Promise<VectorStoreFactory> {
  switch (kind) {
    case 'embedded':
      return (await import('./stores/hnsw.js')).hnswFactory;
  }
}
