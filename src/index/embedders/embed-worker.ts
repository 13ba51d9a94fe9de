/**
 * One embedding worker thread (run by piscina, see pool.ts): it loads the embedder once, then
 * embeds each task's texts, so that embedding never blocks the main thread's event loop.
 */
import { threadId, workerData } from 'node:worker_threads';
import { isNewsdeskError } from '../../errors.js';
import { createEmbedder, createEmbedderById, type Embedder, type EmbedderOptions } from '../embedder.js';

export interface WorkerSetup {
  options: Omit<EmbedderOptions, 'log' | 'threads'>;
  /** The embedder an index names (`createEmbedderById`), or null for the configured one. */
  id: string | null;
}

export type WorkerTask = { texts: string[] } | { describe: true };

export interface WorkerDescription {
  id?: string;
  dimensions?: number;
  threadId: number;
  logs: string[];
  error?: { code: string | null; message: string; detail: string | null };
}

const setup = workerData as WorkerSetup;
const logs: string[] = [];
const options: EmbedderOptions = { ...setup.options, log: (line) => logs.push(line) };
let failure: WorkerDescription['error'] | undefined;
// Loaded once per thread; a failure is reported by `describe` (an Error's code does not cross threads).
const embedder: Embedder | null = await (setup.id ? createEmbedderById(setup.id, options) : createEmbedder(options)).catch(
  (error: unknown) => {
    failure = {
      code: isNewsdeskError(error) ? error.code : null,
      message: error instanceof Error ? error.message : String(error),
      detail: isNewsdeskError(error) ? (error.detail ?? null) : null,
    };
    return null;
  },
);

export default async function run(task: WorkerTask): Promise<Float32Array[] | WorkerDescription> {
  if ('describe' in task) {
    return embedder
      ? { id: embedder.id, dimensions: embedder.dimensions, threadId, logs: logs.splice(0) }
      : { threadId, logs: logs.splice(0), error: failure! };
  }
  if (!embedder) throw new Error(failure?.message ?? 'the embedder did not load');
  return embedder.embed(task.texts);
}
