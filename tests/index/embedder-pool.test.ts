/**
 * The embedder on worker threads (piscina): both the Universal Sentence Encoder (tfjs) and
 * transformers.js (onnxruntime-node, with the tiny ONNX model) load and embed inside a worker,
 * giving the same vectors as on the main thread.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder, createEmbedderById, type Embedder, type EmbedderOptions } from '../../src/index/embedder.js';
import { buildTinyModel } from '../support/tiny-model.js';

let dir: string;
let tiny: { modelsDir: string; model: string };
const open: Embedder[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'newsdesk-pool-'));
  tiny = await buildTinyModel(dir);
});
afterAll(async () => {
  await Promise.all(open.map((e) => e.close?.()));
  await rm(dir, { recursive: true, force: true });
});

const options = (over: Partial<EmbedderOptions>): EmbedderOptions => ({
  kind: 'transformers', model: tiny.model, modelsDir: tiny.modelsDir, allowRemote: false, quantized: false, log: () => {}, ...over,
});
const TEXTS = ['The corridor reopened on Monday.', 'Oil exports rose in March.', 'A third sentence.'];

const inProcess = new Map<string, Promise<Embedder>>();
/** The in-process embedder of a kind, loaded once for the file (USE takes seconds to load). */
const onMain = (over: Partial<EmbedderOptions>) => {
  const key = JSON.stringify(over);
  if (!inProcess.has(key)) inProcess.set(key, createEmbedder(options(over)));
  return inProcess.get(key)!;
};

async function both(over: Partial<EmbedderOptions>): Promise<[Embedder, Embedder]> {
  const main = await onMain(over);
  const pooled = await createEmbedder(options({ ...over, threads: 1 }));
  open.push(pooled);
  return [main, pooled];
}

const rounded = (vectors: Float32Array[]) => vectors.map((v) => Array.from(v, (x) => Math.round(x * 1e4) / 1e4));

describe('the pooled embedder', () => {
  it('runs transformers.js (onnxruntime-node) in a worker: same id, dimensions and vectors as on the main thread', async () => {
    const [main, pooled] = await both({});
    expect([pooled.id, pooled.dimensions]).toEqual([main.id, main.dimensions]);
    expect(rounded(await pooled.embed(TEXTS))).toEqual(rounded(await main.embed(TEXTS)));
  });

  it('runs the Universal Sentence Encoder (tfjs) in a worker, and batches texts that arrive together', async () => {
    const [main, pooled] = await both({ kind: 'use' });
    expect(pooled.id).toBe(main.id);
    const one = await Promise.all(TEXTS.map((t) => pooled.embed([t])));
    expect(rounded(one.flat())).toEqual(rounded(await main.embed(TEXTS)));
  });

  it('cuts a re-index batch into tasks for two threads, and gives the vectors back in order, as in-process', async () => {
    const main = await onMain({ kind: 'use' });
    const pooled = await createEmbedder(options({ kind: 'use', threads: 2 }));
    open.push(pooled);
    expect(pooled.threads).toBe(2);
    const texts = Array.from({ length: 40 }, (_, i) => `Report ${i}: ${'the port reopened and exports rose '.repeat(1 + (i % 4))}`);
    const [inProcess, both] = await Promise.all([main.embed(texts), pooled.embed(texts)]);
    expect(both).toHaveLength(40);
    expect(rounded(both)).toEqual(rounded(inProcess));
  });

  it('loads the embedder an index names (createEmbedderById), and reports a failure to load with its code', async () => {
    const byId = await createEmbedderById('transformers:test/tiny-bert', options({ kind: 'auto', model: 'other', threads: 1 }));
    open.push(byId);
    expect(byId.id).toBe('transformers:test/tiny-bert');
    await expect(createEmbedder(options({ model: 'test/absent', threads: 1 }))).rejects.toMatchObject({ code: 'EMBEDDER_UNAVAILABLE' });
  });
});
