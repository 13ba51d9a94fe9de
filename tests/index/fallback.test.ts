/**
 * The index in operation: a live build damaged on disk. At start-up the engine falls back to the
 * previous build with a warning, and fails only when no build loads.
 */
import { readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { openEngine } from '../../src/index/engine.js';
import { currentBuild, otherBuilds } from '../../src/index/store.js';
import { seedEngine, seedWorkspace, useEmbedderOptions, type SeedWorkspace } from '../support/seed.js';

let ws: SeedWorkspace;
let live: string;
let previous: string;
const QUESTION = 'What is the 3+3 format?';

beforeAll(async () => {
  ws = await seedWorkspace();
  const engine = await seedEngine(ws);
  await engine.reindex();
  await engine.close();
  live = (await currentBuild(ws.dataDir))!;
  previous = (await otherBuilds(ws.dataDir, live))[0]!;
});
afterAll(() => ws.cleanup());

const buildFile = (build: string, name: string) => join(ws.dataDir, 'index', 'builds', build, name);

async function open(logs: string[]) {
  return openEngine({
    corpusDir: ws.corpusDir,
    dataDir: ws.dataDir,
    embedder: useEmbedderOptions(join(ws.root, 'models')),
    chunking: DEFAULT_CHUNKING,
    log: (line) => logs.push(line),
  });
}

describe('a damaged live build at start-up', () => {
  it('falls back to the previous build, with a warning naming both, and answers from it', async () => {
    expect(previous).toBeDefined();
    // lexical.bin: each build writes its own (segments and vector bases are shared by hard link,
    // so truncating one in place would damage both builds).
    const chunks = buildFile(live, 'lexical.bin');
    const saved = await readFile(chunks);
    await truncate(chunks, 100);
    try {
      const logs: string[] = [];
      const engine = await open(logs);
      expect(logs).toEqual([
        `index: warning: the live build ${live} is damaged (${chunks}: damaged header); answering from the previous build ${previous}. Run npm run reindex to rebuild.`,
      ]);
      expect((await engine.ask(QUESTION)).answered).toBe(true);
      await engine.close();
    } finally {
      await writeFile(chunks, saved);
    }
  });

  it('falls back when a file of the live build is deleted', async () => {
    const vectors = buildFile(live, 'vectors.hnsw');
    const saved = await readFile(vectors);
    await rm(vectors);
    try {
      const logs: string[] = [];
      const engine = await open(logs);
      expect(logs[0]).toMatch(new RegExp(`^index: warning: the live build ${live} is damaged .*vectors\\.hnsw.*previous build ${previous}\\.`));
      await engine.close();
    } finally {
      await writeFile(vectors, saved);
    }
  });

  it('fails with INDEX_CORRUPT only when no build loads', async () => {
    const files = [buildFile(live, 'lexical.bin'), buildFile(previous, 'lexical.bin')];
    const saved = await Promise.all(files.map((f) => readFile(f)));
    await Promise.all(files.map((f) => truncate(f, 10)));
    try {
      await expect(open([])).rejects.toMatchObject({ code: 'INDEX_CORRUPT', detail: `${files[0]}: damaged header` });
    } finally {
      await Promise.all(files.map((f, i) => writeFile(f, saved[i]!)));
    }
  });
});
