import path from 'node:path';
import { env, pipeline, type FeatureExtractionPipeline } from '@xenova/transformers';
import type { Embedder, EmbedderOptions } from '../embedder.js';

const BATCH_SIZE = 32;
const PROBE = 'dimension probe';

// transformers.js keeps its settings in one module-global `env` that it reads while a pipeline
// loads, so two loads with different options must not overlap: they run one at a time.
let loading: Promise<unknown> = Promise.resolve();

function oneAtATime<T>(load: () => Promise<T>): Promise<T> {
  const result = loading.then(load, load);
  loading = result.catch(() => undefined);
  return result;
}

/** A transformers.js feature-extraction model (mean-pooled, normalized), loaded from `modelsDir`. */
export async function createTransformersEmbedder(options: EmbedderOptions): Promise<Embedder> {
  const extractor = await oneAtATime(() => load(options));
  const embedBatch = async (texts: string[]): Promise<Float32Array[]> => {
    const output = await extractor(texts, { pooling: 'mean', normalize: true });
    const [rows, width] = output.dims as [number, number];
    const data = output.data as Float32Array;
    return Array.from({ length: rows }, (_, row) => data.slice(row * width, (row + 1) * width));
  };

  // Asking the model beats a table of known widths: any local model reports its real size.
  const [probe] = await embedBatch([PROBE]);
  return {
    id: `transformers:${options.model}${options.quantized ? ':q8' : ''}`,
    dimensions: probe!.length,
    async embed(texts) {
      const vectors: Float32Array[] = [];
      for (let i = 0; i < texts.length; i += BATCH_SIZE) {
        vectors.push(...(await embedBatch(texts.slice(i, i + BATCH_SIZE))));
      }
      return vectors;
    },
  };
}

async function load(options: EmbedderOptions): Promise<FeatureExtractionPipeline> {
  env.localModelPath = options.modelsDir;
  env.allowLocalModels = true;
  env.allowRemoteModels = options.allowRemote;
  // The default cache lives inside node_modules; downloads belong next to the local models.
  env.cacheDir = path.join(options.modelsDir, '.cache');
  try {
    return await pipeline('feature-extraction', options.model, { quantized: options.quantized });
  } catch (error) {
    const where = path.join(options.modelsDir, options.model);
    const reason = String((error as Error).message ?? error).replace(/\s+/g, ' ');
    throw new Error(`Could not load transformers.js model "${options.model}" from ${where}: ${reason}`, { cause: error });
  }
}
