import { readFile, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { createEmbedder, type Embedder } from '../../src/index/embedder.js';
import { buildIndex } from '../../src/index/indexer.js';
import { answer, loadSnapshot } from '../../src/index/snapshot.js';
import { buildPath, currentBuild } from '../../src/index/store.js';
import { hnswStores, type GraphReader } from '../../src/index/stores/hnsw.js';
import { DEV_SET, seedWorkspace, useEmbedderOptions, type SeedWorkspace } from '../support/seed.js';

/** Every query embedder the snapshot makes (createEmbedderById), and which of them were closed. */
const made = vi.hoisted(() => ({ created: 0, closed: 0 }));
vi.mock('../../src/index/embedder.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/index/embedder.js')>();
  return {
    ...real,
    async createEmbedderById(...args: Parameters<typeof real.createEmbedderById>) {
      const inner = await real.createEmbedderById(...args);
      made.created++;
      return { id: inner.id, dimensions: inner.dimensions, embed: (texts: string[]) => inner.embed(texts), close: async () => void made.closed++ };
    },
  };
});

/** hnswlib's graph reader held until `release()`, counting the searches its graphs answer. */
function gatedReader() {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => (release = resolve));
  const counts = { reads: 0, graphSearches: 0 };
  const reader: GraphReader = {
    async read(path, dimensions) {
      counts.reads++;
      await gate;
      const graph = new hnswlib.HierarchicalNSW('cosine', dimensions);
      await graph.readIndex(path);
      const searchKnn = graph.searchKnn.bind(graph);
      Object.defineProperty(graph, 'searchKnn', {
        value: (...args: Parameters<typeof searchKnn>) => {
          counts.graphSearches++;
          return searchKnn(...args);
        },
      });
      return graph;
    },
  };
  return { reader, release, counts };
}

let ws: SeedWorkspace;
let embedder: Embedder;
let questions: string[];
/** lexical.bin of the live build, the file these tests damage: each build writes its own (segments and vector bases are hard-linked). */
let lexicalBin: string;
beforeAll(async () => {
  ws = await seedWorkspace();
  embedder = await createEmbedder(useEmbedderOptions(join(ws.root, 'models')));
  await buildIndex({ corpusDir: ws.corpusDir, dataDir: ws.dataDir, embedder, chunking: DEFAULT_CHUNKING });
  lexicalBin = join(buildPath(ws.dataDir, (await currentBuild(ws.dataDir))!), 'lexical.bin');
  questions = (await readFile(DEV_SET, 'utf8')).trim().split('\n').map((line) => (JSON.parse(line) as { q: string }).q);
});
afterAll(() => ws?.cleanup());

const options = () => ({ dataDir: ws.dataDir, embedder: useEmbedderOptions(join(ws.root, 'models')) });

describe('a snapshot whose vector graph is still being read', () => {
  it('answers every dev question as it does once the graph is in, and then searches the graph', async () => {
    const { reader, release, counts } = gatedReader();
    const snapshot = await loadSnapshot({ ...options(), stores: hnswStores(reader), current: embedder });
    expect(counts.reads).toBe(1); // the load asked for the graph, which has not come
    const scanned = [];
    for (const question of questions) scanned.push(await answer(snapshot, question));
    expect(counts.graphSearches).toBe(0);

    release();
    await snapshot.vectors.whenIndexed!();
    for (const [i, question] of questions.entries()) expect(await answer(snapshot, question)).toEqual(scanned[i]);
    expect(counts.graphSearches).toBeGreaterThanOrEqual(questions.length);
    expect(scanned.filter((a) => a.answered).length).toBeGreaterThan(questions.length / 2);
  });

  it("reports the build's error before the embedder's when both fail to load", async () => {
    const lexical = lexicalBin;
    const saved = await readFile(lexical);
    await truncate(lexical, 10);
    try {
      const wrongKind = { ...options().embedder, kind: 'transformers' as const };
      await expect(loadSnapshot({ ...options(), embedder: wrongKind, stores: hnswStores() })).rejects.toMatchObject({ code: 'INDEX_CORRUPT', detail: `${lexical}: damaged header` });
    } finally {
      await writeFile(lexical, saved);
    }
  });

  it('closes the embedder it started for a build that then fails to load', async () => {
    const lexical = lexicalBin;
    const saved = await readFile(lexical);
    await truncate(lexical, 10);
    const before = { ...made };
    try {
      await expect(loadSnapshot({ ...options(), stores: hnswStores() })).rejects.toMatchObject({ code: 'INDEX_CORRUPT' });
      await vi.waitFor(() => expect(made.created - before.created).toBe(1), { timeout: 20_000 });
      await vi.waitFor(() => expect(made.closed - before.closed).toBe(1));
    } finally {
      await writeFile(lexical, saved);
    }
  });
});
