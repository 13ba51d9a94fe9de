import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { openEngine } from '../../src/index/engine.js';
import type { Engine } from '../../src/index/types.js';
import { useEmbedderOptions } from '../support/seed.js';

/** A corpus about another part of the world: expansions come from the data, not from the seed. */
const DOCS: Record<string, string> = {
  'arctic.md': `---
title: Canada and Denmark end the dispute over Hans Island
outlet: Arctic Today
date: 2022-06-14
---
Canada and Denmark agreed a ceasefire in their long dispute over Hans Island, a small rock in the Nares Strait.
The island will be split along a natural ravine, with a border between the two countries.
`,
  'harvest.md': `---
title: Brazil expects a record soybean harvest
outlet: Farm Wire
date: 2022-05-02
---
Farmers in Mato Grosso expect a record soybean harvest this year after steady rains.
Exports to China are set to rise as demand for animal feed grows.
`,
  'envoy.md': `---
title: Canada keeps its envoy
outlet: Maple Post
date: 2022-06-20
---
Officials in Ottawa said Canada would keep its envoy in Ottawa and that Canada had not changed course.
`,
};

let root: string;
let engine: Engine;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'newsdesk-dropin-'));
  await mkdir(join(root, 'corpus'));
  for (const [name, text] of Object.entries(DOCS)) await writeFile(join(root, 'corpus', name), text);
  engine = await openEngine({ corpusDir: join(root, 'corpus'), dataDir: join(root, 'data'), embedder: useEmbedderOptions(join(root, 'models')), chunking: DEFAULT_CHUNKING, log: () => {}, buildIfMissing: true });
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

describe('expansion on a drop-in corpus about Canada', () => {
  it('reads "Ottawa" as Canada and "truce" as ceasefire, and quotes the sentence that says it', async () => {
    const explained = await engine.explain('Did Ottawa accept a truce?');
    expect(explained.expansions.map((e) => [e.from, e.term, e.source])).toEqual(expect.arrayContaining([['Ottawa', 'canada', 'place'], ['truce', 'ceasefir', 'synonym']]));
    const answer = await engine.ask('Did Ottawa accept a truce?');
    expect(answer.answered).toBe(true);
    expect(answer.passages[0]!.text).toBe('Canada and Denmark agreed a ceasefire in their long dispute over Hans Island, a small rock in the Nares Strait.');
  });

  it('ranks by concepts: a capital and its country count once, below a passage on two of the question\'s concepts', async () => {
    // The envoy sentence says "Ottawa" and "Canada" twice each; the ceasefire sentence says
    // "Canada" (for Ottawa) and "rock". Summing every term put the envoy sentence first.
    const explained = await engine.explain('Did Ottawa give up the rock?');
    const bm25 = explained.rankers.find((r) => r.name === 'BM25')!.top.map((t) => t.text.slice(0, 30)).slice(0, 2);
    expect(bm25).toEqual(['Canada and Denmark agreed a ce', 'Officials in Ottawa said Canad']);
  });

  it('refuses a question whose focus the corpus never mentions, and says why', async () => {
    expect((await engine.ask('What is the population of Canada?')).answered).toBe(false);
    expect((await engine.explain('What is the population of Canada?')).reason).toBe('refused: the question asks about "population", which the corpus never mentions');
  });
});
