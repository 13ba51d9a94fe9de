import { readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { buildIndex } from '../../src/index/indexer.js';
import { HNSW_FILES } from '../../src/index/stores/hnsw.js';
import { buildPath, currentBuild, loadIndex } from '../../src/index/store.js';
import { fakeEmbedder } from '../support/fake-embedder.js';
import { seedWorkspace, type SeedWorkspace } from '../support/seed.js';

let ws: SeedWorkspace;
beforeEach(async () => {
  ws = await seedWorkspace();
});
afterEach(() => ws.cleanup());

const build = (full = false) => buildIndex({ corpusDir: ws.corpusDir, dataDir: ws.dataDir, embedder: fakeEmbedder(), chunking: DEFAULT_CHUNKING, full });
const live = async () => buildPath(ws.dataDir, (await currentBuild(ws.dataDir))!);
const inode = async (dir: string, name: string) => (await stat(join(dir, name))).ino;
const put = (name: string, sentence: string) => writeFile(join(ws.corpusDir, name), `---\ntitle: ${name}\noutlet: Test Wire\ndate: 2025-04-02\n---\n${sentence}\n`);

describe('the vector files of a build', () => {
  it('are shared with the previous build by hard link when a document is added, the new chunks in a delta', async () => {
    await build();
    const first = await live();
    await put('oil.md', 'Crude exports rose in March to a record high.');
    await build();
    const second = await live();
    for (const name of [HNSW_FILES.graph, HNSW_FILES.vectors]) {
      expect(await inode(second, name)).toBe(await inode(first, name));
      expect((await stat(join(second, name))).nlink).toBe(2);
    }
    expect((await stat(join(second, HNSW_FILES.deltaVectors))).size).toBe(1 * 16 * 4);
  });

  it('stay loadable in the live build after the builds they were first written in are pruned', async () => {
    await build();
    const first = await live();
    const base = await inode(first, HNSW_FILES.graph);
    for (const [i, name] of ['a.md', 'b.md', 'c.md'].entries()) {
      await put(name, `Harbour number ${i} reopened after the storm.`);
      await build();
    }
    const builds = await readdir(join(ws.dataDir, 'index', 'builds'));
    expect(builds).toHaveLength(2);
    expect(builds).not.toContain(first.split('/').pop());
    expect(await inode(await live(), HNSW_FILES.graph)).toBe(base);
    const index = await loadIndex(ws.dataDir);
    expect(await index.vectors.count()).toBe(125);
    const id = index.chunks.find((c) => c.text.startsWith('Harbour number 1'))!.id;
    const [vector] = await index.vectors.vectors([id]);
    expect((await index.vectors.search(vector!, 1))[0]!.id).toBe(id);
  });

  it('are laid out anew as one base with --full, the delta folded in', async () => {
    await build();
    const base = await inode(await live(), HNSW_FILES.graph);
    await put('oil.md', 'Crude exports rose in March to a record high.');
    await build();
    await build(true);
    const full = await live();
    expect(await inode(full, HNSW_FILES.graph)).not.toBe(base);
    expect((await stat(join(full, HNSW_FILES.vectors))).size).toBe(123 * 16 * 4);
    await expect(stat(join(full, HNSW_FILES.deltaVectors))).rejects.toThrow('ENOENT');
  });
});
