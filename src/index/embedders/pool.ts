/**
 * An Embedder whose work runs on worker threads (piscina): the bot's event loop keeps answering
 * Discord (heartbeats, acks) while questions are embedded, and a re-index can use every core.
 * Each thread loads its own copy of the model. Texts that arrive while the threads are busy are
 * embedded together in one batch, which the models do much faster than one at a time.
 */
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Piscina } from 'piscina';
import { NewsdeskError, type ErrorCode } from '../../errors.js';
import type { Embedder, EmbedderOptions } from '../embedder.js';
import type { WorkerDescription, WorkerSetup, WorkerTask } from './embed-worker.js';

const MAX_BATCH = 64;
/**
 * A call with this many texts (a re-index batch) is cut into tasks of TASK_SIZE instead, which
 * piscina hands to whichever thread is free: no thread waits for a slower half, and a caller that
 * keeps the next call in flight keeps every thread busy. 32 is USE's own batch.
 */
const SPLIT_AT = 32;
const TASK_SIZE = 32;

/** The worker's file: the compiled .js next to this one, or the .ts through a tsx bootstrap. */
function workerFile(): { filename: string; entry: string } {
  const here = fileURLToPath(import.meta.url);
  const dir = dirname(here);
  if (!here.endsWith('.ts')) return { filename: join(dir, 'embed-worker.js'), entry: '' };
  return { filename: join(dir, 'embed-worker-tsx.mjs'), entry: pathToFileURL(join(dir, 'embed-worker.ts')).href };
}

/** How many threads "all cores" means here. */
export function coreCount(): number {
  return availableParallelism();
}

export interface PooledEmbedder extends Embedder {
  readonly threads: number;
  close(): Promise<void>;
}

/** An embedder on `threads` worker threads: the configured one, or the one `id` names. */
export async function createPooledEmbedder(options: EmbedderOptions, threads: number, id: string | null = null): Promise<PooledEmbedder> {
  const { filename, entry } = workerFile();
  const { log, threads: _threads, ...rest } = options;
  const setup: WorkerSetup & { entry: string } = { options: rest, id, entry };
  const pool = new Piscina({ filename, workerData: setup, minThreads: threads, maxThreads: threads, idleTimeout: Infinity });
  const run = (task: WorkerTask) => pool.run(task) as Promise<unknown>;
  const description = (await run({ describe: true }).catch(async (error: unknown) => {
    await pool.destroy();
    throw new NewsdeskError('EMBEDDER_UNAVAILABLE', `worker thread: ${(error as Error).message}`, { cause: error });
  })) as WorkerDescription;
  for (const line of description.logs) log(line);
  if (description.error) {
    await pool.destroy();
    const code = (description.error.code ?? 'EMBEDDER_UNAVAILABLE') as ErrorCode;
    throw new NewsdeskError(code, description.error.detail ?? description.error.message);
  }

  const embedMany = (texts: string[]) => run({ texts }) as Promise<Float32Array[]>;
  const batcher = new Batcher(embedMany, threads);
  return {
    id: description.id!,
    dimensions: description.dimensions!,
    threads,
    embed: (texts) => (texts.length >= SPLIT_AT ? inTasks(texts, embedMany) : batcher.embed(texts)),
    close: () => pool.destroy(),
  };
}

/**
 * Resolves each caller in its own turn of the event loop: what a caller does next (retrieval) is
 * synchronous, and 64 of them in one turn would hold up Discord's heartbeats and acks for seconds.
 */
function handOut<T>(items: Array<{ resolve: (value: T) => void }>, results: T[], i: number): void {
  if (i >= items.length) return;
  items[i]!.resolve(results[i]!);
  setImmediate(() => handOut(items, results, i + 1));
}

/** Embeds `texts` as tasks of TASK_SIZE, all queued at once, in order. */
async function inTasks(texts: string[], embed: (texts: string[]) => Promise<Float32Array[]>): Promise<Float32Array[]> {
  const tasks = Array.from({ length: Math.ceil(texts.length / TASK_SIZE) }, (_, i) => texts.slice(i * TASK_SIZE, (i + 1) * TASK_SIZE));
  return (await Promise.all(tasks.map(embed))).flat();
}

/**
 * Up to `lanes` batches run at once (one per thread); texts that come in meanwhile wait and go
 * together in the next batch, up to MAX_BATCH texts.
 */
class Batcher {
  private queue: Array<{ texts: string[]; resolve: (v: Float32Array[]) => void; reject: (e: unknown) => void }> = [];
  private running = 0;

  constructor(
    private readonly send: (texts: string[]) => Promise<Float32Array[]>,
    private readonly lanes: number,
  ) {}

  embed(texts: string[]): Promise<Float32Array[]> {
    return new Promise((resolve, reject) => {
      this.queue.push({ texts, resolve, reject });
      this.next();
    });
  }

  private next(): void {
    if (this.running >= this.lanes || this.queue.length === 0) return;
    const batch: typeof this.queue = [];
    let size = 0;
    while (this.queue.length > 0 && (batch.length === 0 || size + this.queue[0]!.texts.length <= MAX_BATCH)) {
      const item = this.queue.shift()!;
      batch.push(item);
      size += item.texts.length;
    }
    this.running += 1;
    this.send(batch.flatMap((item) => item.texts))
      .then((vectors) => {
        let at = 0;
        const results = batch.map((item) => vectors.slice(at, (at += item.texts.length)));
        handOut(batch, results, 0);
      })
      .catch((error: unknown) => batch.forEach((item) => item.reject(error)))
      .finally(() => {
        this.running -= 1;
        this.next();
      });
  }
}
