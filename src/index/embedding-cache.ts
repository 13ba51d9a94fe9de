import { createHash } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './fs-atomic.js';

/** Vectors by (embedder id, text hash), so re-indexing an unchanged corpus embeds nothing. */
export interface EmbeddingCache {
  get(text: string): Float32Array | undefined;
  set(text: string, vector: Float32Array): void;
  save(): Promise<void>;
}

interface CacheFile {
  embedder: string;
  vectors: Record<string, string>;
}

const textKey = (text: string) => createHash('sha256').update(text).digest('base64url');
const fileName = (embedderId: string) => `${createHash('sha256').update(embedderId).digest('hex').slice(0, 16)}.json`;

export async function openEmbeddingCache(dataDir: string, embedderId: string): Promise<EmbeddingCache> {
  const path = join(dataDir, 'cache', fileName(embedderId));
  const stored = await readCache(path, embedderId);
  const vectors = new Map(Object.entries(stored));
  return {
    get(text) {
      const encoded = vectors.get(textKey(text));
      return encoded ? decode(encoded) : undefined;
    },
    set(text, vector) {
      vectors.set(textKey(text), Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString('base64'));
    },
    async save() {
      await mkdir(join(dataDir, 'cache'), { recursive: true });
      const file: CacheFile = { embedder: embedderId, vectors: Object.fromEntries(vectors) };
      await writeFileAtomic(path, JSON.stringify(file));
    },
  };
}

/** A missing or unreadable cache is an empty one: it only saves time, never changes results. */
async function readCache(path: string, embedderId: string): Promise<Record<string, string>> {
  try {
    const file = JSON.parse(await readFile(path, 'utf8')) as CacheFile;
    return file.embedder === embedderId ? file.vectors : {};
  } catch {
    return {};
  }
}

function decode(encoded: string): Float32Array {
  const bytes = Buffer.from(encoded, 'base64');
  return new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
