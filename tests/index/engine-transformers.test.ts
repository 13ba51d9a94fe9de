import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import type { EmbedderOptions } from '../../src/index/embedder.js';
import { openEngine } from '../../src/index/engine.js';
import { loadIndex } from '../../src/index/store.js';
import { buildTinyModel } from '../support/tiny-model.js';
import { seedWorkspace, useEmbedderOptions, type SeedWorkspace } from '../support/seed.js';

let ws: SeedWorkspace;
let transformers: EmbedderOptions;
beforeAll(async () => {
  ws = await seedWorkspace();
  const tiny = await buildTinyModel(join(ws.root, 'models'));
  transformers = { kind: 'transformers', model: tiny.model, modelsDir: tiny.modelsDir, allowRemote: false, quantized: true, log: () => {} };
});
afterAll(() => ws.cleanup());

const open = (embedder: EmbedderOptions) =>
  openEngine({ corpusDir: ws.corpusDir, dataDir: ws.dataDir, embedder, chunking: DEFAULT_CHUNKING, log: () => {}, buildIfMissing: true });

describe('the engine on the transformers.js path', () => {
  it('builds the index with the transformers.js embedder and records it in the manifest', async () => {
    const engine = await open(transformers);
    expect((await loadIndex(ws.dataDir)).manifest.embedder).toEqual({ id: 'transformers:test/tiny-bert:q8', dimensions: 8 });
    const answer = await engine.ask('Who blocked the Lachin corridor?');
    expect(answer.passages.length).toBeGreaterThan(0);
    await engine.close();
  });

  it('answers with the embedder the index names when EMBEDDER=auto', async () => {
    const engine = await open({ ...transformers, kind: 'auto', model: 'some/other-model' });
    expect(engine.about().embedder).toBe('transformers:test/tiny-bert:q8');
    await engine.close();
  });

  it('refuses to query it with EMBEDDER=use, asking for a re-index', async () => {
    await expect(open(useEmbedderOptions(transformers.modelsDir))).rejects.toMatchObject({
      code: 'INDEX_MISMATCH',
      detail: 'The index was built with transformers:test/tiny-bert:q8, but EMBEDDER=use.',
    });
  });
});
