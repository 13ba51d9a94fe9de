import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import zlib from 'node:zlib';
import { withTempFile } from './fs-atomic.js';

/** Vectors by (embedder id, text hash), so re-indexing an unchanged corpus embeds nothing. */
export interface EmbeddingCache {
  /** The stored vector, a view into the cache's memory: read it, do not change it. */
  get(text: string): Float32Array | undefined;
  set(text: string, vector: Float32Array): void;
  /**
   * Appends what `set` added since the last save (append + fsync). With `pruneUnused`, vectors
   * neither read nor written since the cache was opened count as dead, like superseded ones; once
   * dead records are most of the file, it is rewritten with the live ones only.
   */
  save(options?: { pruneUnused?: boolean }): Promise<void>;
}

/*
 * The file: a header (magic, version, dimensions, embedder id), then fixed-size records
 * `sha256(text) (32 bytes) | float32 vector (little-endian) | crc32 of the two`. Appending never
 * rewrites what is there. A record cut short or failing its checksum (a crash mid-append) ends the
 * readable part: it and anything after it are ignored, and the next save rewrites the file.
 * Rewrites go through a temp file + fsync + rename, so readers see the old file or the new one.
 */
const MAGIC = 'NDVECS';
const VERSION = 1;
const KEY_BYTES = 32;
const CRC_BYTES = 4;
/** Records read per piece: bounds each read and allocation, never the file's size. */
const PIECE_RECORDS = 4096;
const DEAD_SHARE = 0.5;

const keyOf = (text: string) => createHash('sha256').update(text).digest().toString('latin1');
const baseName = (embedderId: string) => createHash('sha256').update(embedderId).digest('hex').slice(0, 16);

const crc32: (data: Uint8Array) => number = (zlib as { crc32?: (data: Uint8Array) => number }).crc32 ?? crc32Portable;

export interface OpenOptions {
  /**
   * Keep only these texts' vectors in memory (a re-index in place needs only the new chunks'):
   * the file is still read through, in one reused piece, but nothing else is kept. Such a cache
   * only appends; compaction waits for a cache opened whole.
   */
  only?: Iterable<string>;
}

export async function openEmbeddingCache(dataDir: string, embedderId: string, options: OpenOptions = {}): Promise<EmbeddingCache> {
  const dir = join(dataDir, 'cache');
  const path = join(dir, `${baseName(embedderId)}.vectors`);
  const wanted = options.only ? new Set([...options.only].map(keyOf)) : undefined;
  let stored = await readVectorFile(path, embedderId, wanted);
  // A torn tail is repaired by a rewrite, which needs every vector.
  const partial = wanted !== undefined && !stored.mustRewrite;
  if (wanted && !partial) stored = await readVectorFile(path, embedderId);
  const pending = new Map<string, Float32Array>();
  const used = new Set<string>();
  // An older JSON cache of the same embedder is carried over by the first save, then removed.
  const legacy = join(dir, `${baseName(embedderId)}.json`);
  const migrated = stored.records === 0 ? await readLegacyCache(legacy, embedderId) : new Map<string, Float32Array>();
  for (const [key, vector] of migrated) pending.set(key, vector);
  let dimensions = stored.dimensions ?? migrated.values().next().value?.length;
  let rewrite = stored.mustRewrite || migrated.size > 0;

  const liveInFile = (pruneUnused: boolean) => {
    if (!pruneUnused) return stored.vectors.size;
    let live = 0;
    for (const key of stored.vectors.keys()) if (used.has(key) && !pending.has(key)) live++;
    return live;
  };

  return {
    get(text) {
      const key = keyOf(text);
      const vector = pending.get(key) ?? stored.vectors.get(key);
      if (vector) used.add(key);
      return vector;
    },
    set(text, vector) {
      dimensions ??= vector.length;
      if (vector.length !== dimensions) throw new Error(`embedding cache: a ${vector.length}-dimension vector in a ${dimensions}-dimension cache`);
      const key = keyOf(text);
      pending.set(key, vector);
      used.add(key);
    },
    async save(options = {}) {
      const pruneUnused = options.pruneUnused ?? false;
      const live = liveInFile(pruneUnused);
      const dead = stored.records - live;
      const compact = !partial && (rewrite || (stored.records > 0 && dead / (stored.records + pending.size) > DEAD_SHARE));
      if (!compact && pending.size === 0) return;
      if (dimensions === undefined) return;
      await mkdir(dir, { recursive: true });
      if (compact) {
        const keep = new Map<string, Float32Array>();
        for (const [key, vector] of stored.vectors) if (!pruneUnused || used.has(key)) keep.set(key, vector);
        for (const [key, vector] of pending) keep.set(key, vector);
        await writeVectorFile(path, embedderId, dimensions, keep);
        stored.vectors = keep;
        stored.records = keep.size;
      } else {
        await appendRecords(path, embedderId, dimensions, pending, stored.records === 0 && !stored.exists);
        for (const [key, vector] of pending) stored.vectors.set(key, vector);
        stored.records += pending.size;
      }
      stored.exists = true;
      pending.clear();
      rewrite = false;
      if (migrated.size > 0) await rm(legacy, { force: true });
      migrated.clear();
    },
  };
}

interface VectorFile {
  exists: boolean;
  dimensions: number | undefined;
  /** Records on file, superseded ones included. */
  records: number;
  vectors: Map<string, Float32Array>;
  /** A torn tail or a header of another format: append nothing after it, rewrite instead. */
  mustRewrite: boolean;
}

function header(embedderId: string, dimensions: number): Uint8Array {
  const id = Buffer.from(embedderId, 'utf8');
  // Padded so that every record, and so every vector, starts 4-byte aligned.
  const length = Math.ceil((MAGIC.length + 2 + 4 + 4 + id.length) / 4) * 4;
  const bytes = Buffer.alloc(length);
  bytes.write(MAGIC, 0, 'latin1');
  bytes.writeUInt16LE(VERSION, 6);
  bytes.writeUInt32LE(dimensions, 8);
  bytes.writeUInt32LE(id.length, 12);
  id.copy(bytes, 16);
  return bytes;
}

const recordBytes = (dimensions: number) => KEY_BYTES + dimensions * 4 + CRC_BYTES;

function encodeRecords(entries: Iterable<[string, Float32Array]>, count: number, dimensions: number): Buffer {
  const size = recordBytes(dimensions);
  const out = Buffer.alloc(count * size);
  let at = 0;
  for (const [key, vector] of entries) {
    out.write(key, at, KEY_BYTES, 'latin1');
    Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).copy(out, at + KEY_BYTES);
    out.writeUInt32LE(crc32(out.subarray(at, at + size - CRC_BYTES)), at + size - CRC_BYTES);
    at += size;
  }
  return out;
}

async function appendRecords(path: string, embedderId: string, dimensions: number, entries: Map<string, Float32Array>, fresh: boolean): Promise<void> {
  const handle = await open(path, 'a');
  try {
    if (fresh && (await handle.stat()).size === 0) await handle.write(header(embedderId, dimensions));
    await handle.write(encodeRecords(entries, entries.size, dimensions));
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Rewrites the whole file (compaction), in pieces, through a temp file renamed into place. */
async function writeVectorFile(path: string, embedderId: string, dimensions: number, entries: Map<string, Float32Array>): Promise<void> {
  await withTempFile(path, async (temp) => {
    const handle = await open(temp, 'w');
    try {
      await handle.write(header(embedderId, dimensions));
      let batch: Array<[string, Float32Array]> = [];
      for (const entry of entries) {
        batch.push(entry);
        if (batch.length === PIECE_RECORDS) {
          await handle.write(encodeRecords(batch, batch.length, dimensions));
          batch = [];
        }
      }
      if (batch.length > 0) await handle.write(encodeRecords(batch, batch.length, dimensions));
      await handle.sync();
    } finally {
      await handle.close();
    }
  });
}

const EMPTY = (): VectorFile => ({ exists: false, dimensions: undefined, records: 0, vectors: new Map(), mustRewrite: false });

/** A missing, foreign or damaged file is (partly) an empty cache: it only saves time, never changes results. */
async function readVectorFile(path: string, embedderId: string, wanted?: Set<string>): Promise<VectorFile> {
  let handle: FileHandle;
  try {
    handle = await open(path, 'r');
  } catch {
    return EMPTY();
  }
  try {
    const size = (await handle.stat()).size;
    const expected = Buffer.from(header(embedderId, 0));
    const head = Buffer.alloc(expected.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    const dimensions = head.readUInt32LE(8);
    expected.writeUInt32LE(dimensions, 8);
    if (bytesRead < head.length || !head.equals(expected) || dimensions === 0) return { ...EMPTY(), exists: true, mustRewrite: true };
    return { exists: true, dimensions, ...(await readRecords(handle, head.length, size, dimensions, wanted)) };
  } finally {
    await handle.close();
  }
}

async function readRecords(handle: FileHandle, start: number, size: number, dimensions: number, wanted?: Set<string>) {
  const recordSize = recordBytes(dimensions);
  const vectors = new Map<string, Float32Array>();
  let records = 0;
  let at = start;
  // Reading whole, each piece gets a fresh ArrayBuffer that its vectors view (records start at
  // multiples of 4, so views, not copies). Reading for `wanted`, one piece is reused and the few
  // wanted vectors are copied out.
  const reused = wanted ? new Uint8Array(new ArrayBuffer(Math.min(PIECE_RECORDS, Math.max(1, Math.floor((size - start) / recordSize))) * recordSize)) : null;
  while (at + recordSize <= size) {
    const count = Math.min(PIECE_RECORDS, Math.floor((size - at) / recordSize));
    const piece = reused ? reused.subarray(0, count * recordSize) : new Uint8Array(new ArrayBuffer(count * recordSize));
    const { bytesRead } = await handle.read(piece, 0, piece.length, at);
    const whole = Math.floor(bytesRead / recordSize);
    // A crash can only tear the end of the file: read for `wanted`, only the last piece and the wanted records are checked.
    const last = at + count * recordSize + recordSize > size;
    const valid = !wanted || last ? validRecords(piece, whole, recordSize) : whole;
    for (let i = 0; i < valid; i++) {
      const offset = i * recordSize;
      const key = Buffer.from(piece.buffer, piece.byteOffset + offset, KEY_BYTES).toString('latin1');
      if (!wanted) vectors.set(key, new Float32Array(piece.buffer, offset + KEY_BYTES, dimensions));
      else if (wanted.has(key) && validRecords(piece.subarray(offset, offset + recordSize), 1, recordSize) === 1) {
        vectors.set(key, new Float32Array(piece.slice(offset + KEY_BYTES, offset + KEY_BYTES + dimensions * 4).buffer));
      }
    }
    records += valid;
    at += valid * recordSize;
    if (valid < count) break;
  }
  return { records, vectors, mustRewrite: at !== size };
}

/** How many leading records of the piece are whole and pass their checksum. */
function validRecords(piece: Uint8Array, count: number, recordSize: number): number {
  const view = new DataView(piece.buffer, piece.byteOffset, piece.byteLength);
  for (let i = 0; i < count; i++) {
    const end = (i + 1) * recordSize;
    if (crc32(piece.subarray(i * recordSize, end - CRC_BYTES)) !== view.getUint32(end - CRC_BYTES, true)) return i;
  }
  return count;
}

/** The JSON cache of earlier versions: `{ embedder, vectors: { base64url sha256: base64 float32 } }`. */
async function readLegacyCache(path: string, embedderId: string): Promise<Map<string, Float32Array>> {
  const vectors = new Map<string, Float32Array>();
  try {
    const file = JSON.parse(await readFile(path, 'utf8')) as { embedder: string; vectors: Record<string, string> };
    if (file.embedder !== embedderId) return vectors;
    for (const [key, encoded] of Object.entries(file.vectors)) {
      const bytes = Buffer.from(encoded, 'base64');
      vectors.set(Buffer.from(key, 'base64url').toString('latin1'), new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)));
    }
  } catch {
    // Missing, unreadable, or past V8's string limit: start empty.
  }
  return vectors;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE), for Node versions before zlib.crc32 (20.15). */
export function crc32Portable(data: Uint8Array): number {
  crcTable ??= Uint32Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c;
  });
  let crc = 0xffffffff;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
