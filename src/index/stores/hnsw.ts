import { closeSync, openSync, readSync } from 'node:fs';
import { copyFile, link, open, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { withTempFile, writeFileAtomic } from '../fs-atomic.js';
import type { BuildVectorStore, LoadOptions, VectorHit, VectorItem, VectorStoreFactory } from '../vector-store.js';

/*
 * hnswlib-node cosine index in two segments, so that adding a document to a large build neither
 * reads nor rewrites the large part:
 * - the base: vectors.hnsw (graph) and vectors.f32 (the same vectors flat, label order). A build
 *   that does not fold hard-links both from the build it started from: they are never rewritten.
 * - the delta: vectors-delta.hnsw and vectors-delta.f32, the labels added since the base was laid
 *   out; small, rewritten by every build, folded into the base once it passes FOLD_SHARE of it.
 * vector-ids.json holds the chunk id of every label, base labels first (null once removed: the
 * tombstones, marked deleted in the graph as it loads). A label keeps its number through a fold.
 * Vectors are served from one flat array (hnswlib hands one out only as a fresh number[], 70 µs a
 * copy). The base's flat file is read into memory in the background once the graph is loaded;
 * until then (and in a store loaded for update) each base vector is read from it (pread).
 */
const M = 16;
const EF_CONSTRUCTION = 200;
const RANDOM_SEED = 100;
const MIN_EF = 64;

/** The delta is folded into the base when it holds more labels than this share of the base's. */
export const FOLD_SHARE = 0.1;

export const HNSW_FILES = {
  graph: 'vectors.hnsw',
  vectors: 'vectors.f32',
  deltaGraph: 'vectors-delta.hnsw',
  deltaVectors: 'vectors-delta.f32',
  ids: 'vector-ids.json',
} as const;

type Graph = hnswlib.HierarchicalNSW;

function newGraph(dimensions: number, capacity: number): Graph {
  const index = new hnswlib.HierarchicalNSW('cosine', dimensions);
  index.initIndex(Math.max(1, capacity), M, EF_CONSTRUCTION, RANDOM_SEED);
  return index;
}

export const hnswFactory: VectorStoreFactory = {
  kind: 'embedded',
  async create(dimensions, capacity) {
    const delta = { graph: newGraph(dimensions, capacity), flat: new Float32Array(Math.max(1, capacity) * dimensions) };
    return new HnswStore(dimensions, [], { count: 0, dir: null, flat: null, fd: null }, delta);
  },
  async load(dir, dimensions, options: LoadOptions = {}) {
    const bytesPer = dimensions * 4;
    const [ids, baseBytes, deltaBytes] = await Promise.all([
      readFile(join(dir, HNSW_FILES.ids), 'utf8').then((text) => JSON.parse(text) as Array<string | null>),
      sizeOf(join(dir, HNSW_FILES.vectors)),
      sizeOf(join(dir, HNSW_FILES.deltaVectors)),
    ]);
    const [baseCount, deltaCount] = [baseBytes / bytesPer, deltaBytes / bytesPer];
    if (!Number.isInteger(baseCount) || !Number.isInteger(deltaCount) || ids.length !== baseCount + deltaCount) {
      throw new Error(`${dir}: ${ids.length} ids, ${baseCount} stored vectors in the base and ${deltaCount} in the delta`);
    }
    if (baseCount > 0) await checkGraphHeader(join(dir, HNSW_FILES.graph), baseCount);
    const delta = deltaCount > 0 ? await loadDelta(dir, dimensions, deltaCount) : { graph: newGraph(dimensions, 1), flat: new Float32Array(dimensions) };
    const fd = baseCount > 0 ? openSync(join(dir, HNSW_FILES.vectors), 'r') : null;
    const store = new HnswStore(dimensions, ids, { count: baseCount, dir, flat: null, fd }, delta);
    // A store loaded to be updated and saved never searches: its base graph is hard-linked, not read.
    if (options.purpose !== 'update') {
      await store.ready();
      store.readVectorsInBackground();
    }
    return store;
  },
};

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw error;
  }
}

/**
 * hnswlib's saved header: offsetLevel0, max_elements, cur_element_count, size_data_per_element
 * (size_t each) lead 96 bytes; then every element's level-0 data, then a 4-byte size per element.
 * Checked without reading the graph, so that a torn base is never hard-linked into a new build.
 */
const GRAPH_HEADER_BYTES = 96;

async function checkGraphHeader(path: string, count: number): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const header = Buffer.alloc(GRAPH_HEADER_BYTES);
    const { bytesRead } = await handle.read(header, 0, GRAPH_HEADER_BYTES, 0);
    const size = (await handle.stat()).size;
    const elements = bytesRead === GRAPH_HEADER_BYTES ? Number(header.readBigUInt64LE(16)) : -1;
    const perElement = bytesRead === GRAPH_HEADER_BYTES ? Number(header.readBigUInt64LE(24)) : 0;
    if (elements !== count || size < GRAPH_HEADER_BYTES + count * (perElement + 4)) {
      throw new Error(`${path}: ${elements < 0 ? 'no header' : `${elements} vectors`} in ${size} bytes for ${count} stored vectors`);
    }
  } finally {
    await handle.close();
  }
}

async function loadDelta(dir: string, dimensions: number, count: number): Promise<Delta> {
  const graph = new hnswlib.HierarchicalNSW('cosine', dimensions);
  const [, bytes] = await Promise.all([graph.readIndex(join(dir, HNSW_FILES.deltaGraph)), readFile(join(dir, HNSW_FILES.deltaVectors))]);
  if (graph.getCurrentCount() !== count) throw new Error(`${dir}: ${graph.getCurrentCount()} vectors in the delta graph, ${count} stored`);
  return { graph, flat: floats(bytes) };
}

/** A Float32Array over the file's bytes, copied only when the buffer is not 4-byte aligned. */
function floats(bytes: Buffer): Float32Array {
  if (bytes.byteLength % 4 !== 0) throw new Error(`${bytes.byteLength} bytes is not a whole number of floats`);
  if (bytes.byteOffset % 4 === 0) return new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  return new Float32Array(Uint8Array.prototype.slice.call(bytes).buffer);
}

const asBytes = (v: Float32Array) => new Uint8Array(v.buffer, v.byteOffset, v.byteLength);

/** Writes a graph through a temp file, fsynced before the rename (hnswlib itself never syncs). */
async function writeGraph(graph: Graph, path: string): Promise<void> {
  await withTempFile(path, async (temp) => {
    await graph.writeIndex(temp);
    const handle = await open(temp, 'r+');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

/** The base segment: its files, where they are, and what of it is in memory. */
interface Base {
  count: number;
  /** The directory holding vectors.hnsw and vectors.f32 of this base (hard-linked by the next build). */
  dir: string | null;
  /** The base vectors in memory (a base this process laid out), else read per vector from `fd`. */
  flat: Float32Array | null;
  fd: number | null;
}

interface Delta {
  graph: Graph;
  flat: Float32Array;
}

/** Closes the flat file of a store the engine dropped without closing (a replaced snapshot). */
const openFiles = new FinalizationRegistry<number>((fd) => closeSync(fd));

class HnswStore implements BuildVectorStore {
  private readonly labelOf = new Map<string, number>();
  private live = 0;
  private baseLive = 0;
  private baseGraph: Promise<Graph> | null = null;
  /** The base graph once read: removals mark it at once; until then it takes the tombstones as it loads. */
  private loadedGraph: Graph | null = null;

  constructor(
    readonly dimensions: number,
    /** Chunk id by label, base labels first; null for a removed one (hnswlib keeps the label, marked deleted). */
    private readonly ids: Array<string | null>,
    private base: Base,
    private delta: Delta,
  ) {
    ids.forEach((id, label) => {
      if (id === null) return;
      this.labelOf.set(id, label);
      this.live++;
      if (label < base.count) this.baseLive++;
    });
    if (base.fd !== null) openFiles.register(this, base.fd, this);
  }

  /**
   * Reads the base's flat vectors into memory without holding up the load: until they are in,
   * `vectors()` reads each one from the file (about 20 µs a vector, against a view's nothing).
   */
  readVectorsInBackground(): void {
    const base = this.base;
    if (base.count === 0 || base.flat || !base.dir) return;
    readFile(join(base.dir, HNSW_FILES.vectors)).then(
      (bytes) => {
        // A fold or close meanwhile has replaced the base: these bytes are not its.
        if (this.base !== base || bytes.byteLength !== base.count * this.dimensions * 4) return;
        this.closeFile();
        this.base = { ...base, flat: floats(bytes), fd: null };
      },
      () => {}, // the per-vector reads go on
    );
  }

  /** Reads the base graph now rather than at the first search. */
  async ready(): Promise<void> {
    if (this.base.count > 0) await this.graph();
  }

  private graph(): Promise<Graph> {
    this.baseGraph ??= (async () => {
      const graph = new hnswlib.HierarchicalNSW('cosine', this.dimensions);
      await graph.readIndex(join(this.base.dir!, HNSW_FILES.graph));
      if (graph.getCurrentCount() !== this.base.count) throw new Error(`${this.base.dir}: ${graph.getCurrentCount()} vectors in the graph, ${this.base.count} stored`);
      for (let label = 0; label < this.base.count; label++) if (this.ids[label] === null) markDeleted(graph, label);
      this.loadedGraph = graph;
      return graph;
    })();
    return this.baseGraph;
  }

  private get deltaSize() {
    return this.ids.length - this.base.count;
  }

  async count() {
    return this.live;
  }

  async add(items: ReadonlyArray<VectorItem>) {
    await this.remove(items.map((item) => item.id).filter((id) => this.labelOf.has(id)));
    this.reserve(this.deltaSize + items.length);
    for (const { id, vector } of items) {
      const label = this.ids.length;
      const local = label - this.base.count;
      this.delta.graph.addPoint(Array.from(vector), local);
      this.delta.flat.set(vector, local * this.dimensions);
      this.ids.push(id);
      this.labelOf.set(id, label);
      this.live++;
    }
  }

  async remove(ids: readonly string[]) {
    for (const id of ids) {
      const label = this.labelOf.get(id);
      if (label === undefined) continue;
      if (label >= this.base.count) this.delta.graph.markDelete(label - this.base.count);
      else {
        this.loadedGraph?.markDelete(label);
        this.baseLive--;
      }
      this.ids[label] = null;
      this.labelOf.delete(id);
      this.live--;
    }
  }

  async search(query: Float32Array, k: number): Promise<VectorHit[]> {
    if (k <= 0) return [];
    const point = Array.from(query);
    const found: Array<{ label: number; distance: number }> = [];
    const deltaLive = this.live - this.baseLive;
    if (this.baseLive > 0) nearest(await this.graph(), point, Math.min(k, this.baseLive), 0, found);
    if (deltaLive > 0) nearest(this.delta.graph, point, Math.min(k, deltaLive), this.base.count, found);
    found.sort((a, b) => a.distance - b.distance || a.label - b.label);
    return found.slice(0, k).map(({ label, distance }) => ({ id: this.ids[label]!, score: 1 - distance }));
  }

  async vectors(ids: readonly string[]) {
    const size = this.dimensions;
    // Base vectors not in memory are read into one buffer per call.
    let read: Float32Array | null = null;
    return ids.map((id, i) => {
      const label = this.labelOf.get(id);
      if (label === undefined) return undefined;
      if (label >= this.base.count) return this.delta.flat.subarray((label - this.base.count) * size, (label - this.base.count + 1) * size);
      if (this.base.flat) return this.base.flat.subarray(label * size, (label + 1) * size);
      read ??= new Float32Array(ids.length * size);
      const view = read.subarray(i * size, (i + 1) * size);
      const bytes = readSync(this.base.fd!, asBytes(view), 0, size * 4, label * size * 4);
      if (bytes !== size * 4) throw new Error(`${this.base.dir}: the vector of label ${label} is cut short`);
      return view;
    });
  }

  async close() {
    this.closeFile();
  }

  private closeFile() {
    if (this.base.fd === null) return;
    openFiles.unregister(this);
    closeSync(this.base.fd);
    this.base = { ...this.base, fd: null };
  }

  async save(dir: string) {
    const fold = this.deltaSize > 0 && (this.base.count === 0 || this.deltaSize > FOLD_SHARE * this.base.count);
    if (fold) await this.fold(dir);
    else await Promise.all([this.linkBase(dir), this.writeDelta(dir)]);
    await writeFileAtomic(join(dir, HNSW_FILES.ids), JSON.stringify(this.ids));
  }

  /** Hard-links the base files from the build they came from: they are never written again. */
  private async linkBase(dir: string) {
    if (this.base.count === 0) return;
    try {
      for (const name of [HNSW_FILES.graph, HNSW_FILES.vectors]) await linkOrCopy(join(this.base.dir!, name), join(dir, name));
    } catch (error) {
      // The directory this store laid its base out in was renamed (a build's staging directory): write it again.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || !this.base.flat) throw error;
      await writeGraph(await this.graph(), join(dir, HNSW_FILES.graph));
      await writeFileAtomic(join(dir, HNSW_FILES.vectors), asBytes(this.base.flat.subarray(0, this.base.count * this.dimensions)));
    }
  }

  private async writeDelta(dir: string) {
    if (this.deltaSize === 0) return;
    await writeGraph(this.delta.graph, join(dir, HNSW_FILES.deltaGraph));
    await writeFileAtomic(join(dir, HNSW_FILES.deltaVectors), asBytes(this.delta.flat.subarray(0, this.deltaSize * this.dimensions)));
  }

  /**
   * Writes base + delta as the new base and empties the delta. Labels keep their numbers: every
   * delta label is added to the base graph, a removed one marked deleted right after.
   */
  private async fold(dir: string) {
    const size = this.dimensions;
    const deltaFlat = this.delta.flat.subarray(0, this.deltaSize * size);
    let graph: Graph;
    if (this.base.count === 0) graph = this.delta.graph;
    else {
      graph = await this.graph();
      graph.resizeIndex(this.ids.length);
      for (let local = 0; local < this.deltaSize; local++) {
        const label = this.base.count + local;
        graph.addPoint(Array.from(deltaFlat.subarray(local * size, (local + 1) * size)), label);
        if (this.ids[label] === null) graph.markDelete(label);
      }
    }
    await writeGraph(graph, join(dir, HNSW_FILES.graph));
    const flatPath = join(dir, HNSW_FILES.vectors);
    let flat: Float32Array | null = null;
    if (this.base.count === 0) flat = deltaFlat;
    else if (this.base.flat) {
      flat = new Float32Array(this.ids.length * size);
      flat.set(this.base.flat.subarray(0, this.base.count * size));
      flat.set(deltaFlat, this.base.count * size);
    }
    if (flat) await writeFileAtomic(flatPath, asBytes(flat));
    else await appendedCopy(join(this.base.dir!, HNSW_FILES.vectors), asBytes(deltaFlat), flatPath);
    await this.close();
    const fd = flat ? null : openSync(flatPath, 'r');
    this.base = { count: this.ids.length, dir, flat, fd };
    if (fd !== null) openFiles.register(this, fd, this);
    this.baseGraph = Promise.resolve(graph);
    this.loadedGraph = graph;
    this.baseLive = this.live;
    this.delta = { graph: newGraph(size, 1), flat: new Float32Array(size) };
  }

  /**
   * Room for `size` labels in the delta's graph and flat array, growing by a quarter so adds stay
   * amortized: a loaded delta has no spare room.
   */
  private reserve(size: number) {
    const { graph, flat } = this.delta;
    if (size <= graph.getMaxElements() && size * this.dimensions <= flat.length) return;
    const capacity = Math.max(size, Math.ceil(graph.getMaxElements() * 1.25));
    graph.resizeIndex(capacity);
    const grown = new Float32Array(capacity * this.dimensions);
    grown.set(flat.subarray(0, this.deltaSize * this.dimensions));
    this.delta = { graph, flat: grown };
  }
}

/** Marks a tombstone; one removed before the graph was saved is marked in the file already. */
function markDeleted(graph: Graph, label: number) {
  try {
    graph.markDelete(label);
  } catch (error) {
    if (!String((error as Error).message).includes('already deleted')) throw error;
  }
}

/** `n` nearest labels of one graph, offset to store labels, appended to `into`. */
function nearest(graph: Graph, point: number[], n: number, offset: number, into: Array<{ label: number; distance: number }>) {
  // hnswlib throws when it cannot return n results, which is why n never exceeds the live count.
  graph.setEf(Math.max(MIN_EF, n));
  const { neighbors, distances } = graph.searchKnn(point, n);
  neighbors.forEach((label, i) => into.push({ label: label + offset, distance: distances[i]! }));
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch (error) {
    // A file system without hard links: a copy is as good, only slower.
    if (!['EPERM', 'ENOTSUP', 'EXDEV', 'EMLINK'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    await copyFile(from, to);
  }
}

/** Writes `from`'s bytes followed by `tail` to `to`, atomically and fsynced. */
async function appendedCopy(from: string, tail: Uint8Array, to: string): Promise<void> {
  await withTempFile(to, async (temp) => {
    await copyFile(from, temp);
    const handle = await open(temp, 'a');
    try {
      await handle.write(tail);
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

