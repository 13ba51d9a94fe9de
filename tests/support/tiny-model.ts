import { buildGatherModel } from '../../scripts/support/gather-model.js';

const WORDS = [
  'the', 'a', 'of', 'in', 'on', 'and', 'to', 'for', 'with', 'by',
  'news', 'report', 'city', 'council', 'vote', 'budget', 'tax', 'school', 'police', 'court',
  'judge', 'election', 'mayor', 'minister', 'river', 'flood', 'storm', 'rain', 'fire', 'bridge',
  'road', 'train', 'market', 'price', 'bank', 'oil', 'energy', 'farm', 'harvest', 'hospital',
  'doctor', 'health', 'team', 'match', 'goal', 'win', 'lose', 'music', 'film', 'art',
];

/** The tests' 8-dimension model over 50 words: small enough to assert exact vectors. */
export function buildTinyModel(dir: string, name = 'test/tiny-bert'): Promise<{ modelsDir: string; model: string; dimensions: number }> {
  return buildGatherModel({ dir, name, words: WORDS, dimensions: 8, seed: 0x5eed, producer: 'newsdesk-tests' });
}
