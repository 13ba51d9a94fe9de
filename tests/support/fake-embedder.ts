import { createHash } from 'node:crypto';
import type { Embedder } from '../../src/index/embedder.js';
import { normalize } from '../../src/index/vector.js';

/** A deterministic bag-of-words embedder for tests of storage, not of meaning. */
export function fakeEmbedder(dimensions = 16, id = 'fake:bag-of-words'): Embedder & { calls: number } {
  const embedder = {
    id,
    dimensions,
    calls: 0,
    async embed(texts: string[]) {
      embedder.calls += texts.length;
      return texts.map((text) => {
        const vector = new Float32Array(dimensions);
        for (const word of text.toLowerCase().match(/\w+/g) ?? ['empty']) {
          const byte = createHash('md5').update(word).digest()[0]!;
          vector[byte % dimensions]! += 1;
        }
        return normalize(vector);
      });
    },
  };
  return embedder;
}
