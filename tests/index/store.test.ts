import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { openEngine } from '../../src/index/engine.js';
import { buildIndex } from '../../src/index/indexer.js';
import { loadSnapshot } from '../../src/index/snapshot.js';
import { currentBuild, FORMAT_VERSION, loadIndex } from '../../src/index/store.js';
import { vectorStoreFactory } from '../../src/index/vector-store.js';
import { fakeEmbedder } from '../support/fake-embedder.js';
import { seedWorkspace, useEmbedderOptions, type SeedWorkspace } from '../support/seed.js';

let ws: SeedWorkspace;
beforeEach(async () => {
  ws = await seedWorkspace();
});
afterEach(() => ws.cleanup());

const build = (embedder = fakeEmbedder()) =>
  buildIndex({ corpusDir: ws.corpusDir, dataDir: ws.dataDir, embedder, chunking: DEFAULT_CHUNKING });

describe('the index on disk', () => {
  it('round-trips: manifest, documents, chunks and a real hnswlib index that finds each vector', async () => {
    const embedder = fakeEmbedder();
    const summary = await build(embedder);
    expect(summary).toMatchObject({ documents: 81, chunks: 122, skipped: [], embedded: 122, cached: 0, embedderId: 'fake:bag-of-words' });
    expect(embedder.calls).toBe(121); // the AP and ABC News headlines are the same text
    const index = await loadIndex(ws.dataDir);
    expect(index.manifest).toMatchObject({
      formatVersion: FORMAT_VERSION,
      embedder: { id: 'fake:bag-of-words', dimensions: 16 },
      chunking: DEFAULT_CHUNKING,
      documents: 81,
      chunks: 122,
    });
    expect(index.manifest.corpusHash).toMatch(/^[0-9a-f]{64}$/);
    expect(index.documents).toHaveLength(81);
    expect(await index.vectors.count()).toBe(122);
    const [vector] = await embedder.embed([index.chunks[90]!.text]);
    const [best] = await index.vectors.search(vector!, 1);
    expect(index.chunks.find((chunk) => chunk.id === best!.id)!.text).toBe(index.chunks[90]!.text);
    expect(best!.score).toBeCloseTo(1, 5);
  });

  it('embeds nothing when re-indexing an unchanged corpus', async () => {
    await build();
    const embedder = fakeEmbedder();
    const summary = await build(embedder);
    expect([summary.embedded, summary.cached, embedder.calls]).toEqual([0, 122, 0]);
  });

  it('publishes a new build only when complete, and keeps the previous one live if a build fails', async () => {
    await build();
    const before = await currentBuild(ws.dataDir);
    const failing = { ...fakeEmbedder(), id: 'fake:other', embed: async () => Promise.reject(new Error('boom')) };
    await expect(build(failing)).rejects.toThrow('boom');
    expect(await currentBuild(ws.dataDir)).toBe(before);
    const files = await readdir(join(ws.dataDir, 'index'), { recursive: true });
    expect(files.filter((f) => /tmp|partial/.test(f))).toEqual([]);
  });

  it('keeps the live build and the one before it, and prunes older ones', async () => {
    for (let i = 0; i < 3; i++) await build();
    const builds = await readdir(join(ws.dataDir, 'index', 'builds'));
    expect(builds).toHaveLength(2);
    expect(builds).toContain(await currentBuild(ws.dataDir));
  });
});

describe('loading errors', () => {
  const options = () => useEmbedderOptions(join(ws.root, 'models'));

  it('says INDEX_MISSING when there is no index and building was not asked for', async () => {
    await expect(loadSnapshot({ dataDir: ws.dataDir, embedder: options(), stores: await vectorStoreFactory() })).rejects.toMatchObject({ code: 'INDEX_MISSING' });
  });

  it('says INDEX_MISMATCH for another format version', async () => {
    await build();
    const path = join(ws.dataDir, 'index', 'builds', (await currentBuild(ws.dataDir))!, 'manifest.json');
    const manifest = JSON.parse(await readFile(path, 'utf8'));
    await writeFile(path, JSON.stringify({ ...manifest, formatVersion: FORMAT_VERSION + 1 }));
    await expect(loadSnapshot({ dataDir: ws.dataDir, embedder: options(), stores: await vectorStoreFactory() })).rejects.toMatchObject({
      code: 'INDEX_MISMATCH',
      detail: `The index is in format ${FORMAT_VERSION + 1}; this version reads format ${FORMAT_VERSION}.`,
    });
  });

  it('says INDEX_MISMATCH when EMBEDDER names another embedder than the one that built the index', async () => {
    await build();
    const engine = openEngine({ corpusDir: ws.corpusDir, dataDir: ws.dataDir, embedder: options(), chunking: DEFAULT_CHUNKING, log: () => {} });
    await expect(engine).rejects.toMatchObject({ code: 'INDEX_MISMATCH', detail: 'The index was built with fake:bag-of-words, but EMBEDDER=use.' });
    await expect(engine).rejects.toThrow('Run `npm run reindex` to rebuild it.');
  });

  it('says INDEX_CORRUPT when the vectors file is gone', async () => {
    await build();
    await rm(join(ws.dataDir, 'index', 'builds', (await currentBuild(ws.dataDir))!, 'vectors.hnsw'));
    await expect(loadIndex(ws.dataDir)).rejects.toMatchObject({ code: 'INDEX_CORRUPT' });
  });
});
