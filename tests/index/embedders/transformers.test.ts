import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NewsdeskError } from '../../../src/errors.js';
import { createEmbedder, type EmbedderOptions } from '../../../src/index/embedder.js';
import { createTransformersEmbedder } from '../../../src/index/embedders/transformers.js';
import { buildTinyModel } from '../../support/tiny-model.js';

let dir: string;
let tiny: Awaited<ReturnType<typeof buildTinyModel>>;

/** Always offline: these tests must never reach the network. */
function options(overrides: Partial<Omit<EmbedderOptions, 'allowRemote'>> = {}): EmbedderOptions {
  return {
    kind: 'transformers',
    model: tiny.model,
    modelsDir: tiny.modelsDir,
    allowRemote: false,
    quantized: false,
    log: () => {},
    ...overrides,
  };
}

function length(vector: Float32Array): number {
  return Math.hypot(...vector);
}

function cosine(a: Float32Array, b: Float32Array): number {
  return a.reduce((sum, value, i) => sum + value * b[i]!, 0) / (length(a) * length(b));
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'newsdesk-transformers-'));
  tiny = await buildTinyModel(dir);
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('createTransformersEmbedder', () => {
  it('loads the tiny model through the real pipeline and reports its id and dimensions', async () => {
    const embedder = await createTransformersEmbedder(options());
    expect(embedder.id).toBe('transformers:test/tiny-bert');
    expect(embedder.dimensions).toBe(8);
    expect(tiny.dimensions).toBe(8);

    const [vector] = await embedder.embed(['city council vote']);
    expect(vector).toBeInstanceOf(Float32Array);
    expect(vector).toHaveLength(8);
  });

  it('loads the quantized file and marks the id with :q8', async () => {
    const embedder = await createTransformersEmbedder(options({ quantized: true }));
    expect(embedder.id).toBe('transformers:test/tiny-bert:q8');
    expect(embedder.dimensions).toBe(8);
  });

  it('returns unit-length vectors, the same vector for the same text, and different ones for different texts', async () => {
    const embedder = await createTransformersEmbedder(options());
    const [flood, floodAgain, election] = await embedder.embed([
      'Storm and flood on the river',
      'Storm and flood on the river',
      'The mayor won the election',
    ]);
    for (const vector of [flood!, floodAgain!, election!]) expect(Math.abs(length(vector) - 1)).toBeLessThan(1e-5);
    expect(floodAgain).toEqual(flood);
    expect(cosine(flood!, election!)).toBeLessThan(0.99);
    expect((await embedder.embed(['Storm and flood on the river']))[0]).toEqual(flood);
  });

  it('embeds more than one batch and returns one vector per text, in order', async () => {
    const embedder = await createTransformersEmbedder(options());
    const subjects = ['news', 'city', 'council', 'budget', 'school', 'police', 'court', 'flood', 'market', 'film'];
    const verbs = ['vote', 'tax', 'storm', 'fire', 'win', 'lose', 'goal'];
    // 70 distinct texts of different lengths, so batches are padded.
    const texts = Array.from({ length: 70 }, (_, i) =>
      [subjects[i % 10], verbs[Math.floor(i / 10)], ...Array<string>(i % 4).fill('the')].join(' '),
    );

    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(70);
    for (const [i, text] of texts.entries()) {
      const [alone] = await embedder.embed([text]);
      expect(vectors[i], text).toEqual(alone);
    }
  });

  it('throws a one-line error naming the model and its directory when the model is not present locally', async () => {
    const missing = options({ model: 'test/not-here' });
    const error = await createTransformersEmbedder(missing).then(
      () => undefined,
      (thrown: unknown) => thrown as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toContain('"test/not-here"');
    expect(error!.message).toContain(path.join(tiny.modelsDir, 'test/not-here'));
    expect(error!.message).not.toContain('\n');
  });

  it('makes createEmbedder({ kind: "transformers" }) throw EMBEDDER_UNAVAILABLE for a missing model', async () => {
    const attempt = createEmbedder(options({ model: 'test/not-here' }));
    await expect(attempt).rejects.toBeInstanceOf(NewsdeskError);
    await expect(attempt).rejects.toMatchObject({ code: 'EMBEDDER_UNAVAILABLE' });
  });
});
