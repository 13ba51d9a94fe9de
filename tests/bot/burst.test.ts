/**
 * Under load: 200 people each send /ask at once, to the real bot whose engine embeds questions on
 * a worker thread (EMBED_THREADS=1). Every one is acknowledged and answered with a quote. Timing is
 * measured by `npm run bench`, not asserted here.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { openEngine } from '../../src/index/engine.js';
import type { Engine } from '../../src/index/types.js';
import { useEmbedderOptions } from '../support/seed.js';
import { openWorkspace, startHarness, type Harness, type Workspace } from './harness.js';

const QUESTIONS = ['What is the Zangezur corridor?', 'Which countries take part in the 3+3 format?', 'Who blocked the Lachin corridor?'];
const PEOPLE = 200;

let ws: Workspace;
let pooled: Engine;
let h: Harness;

beforeAll(async () => {
  ws = await openWorkspace();
  pooled = await openEngine({
    corpusDir: ws.corpusDir,
    dataDir: ws.dataDir,
    embedder: { ...useEmbedderOptions(join(ws.root, 'models')), threads: 1 },
    chunking: DEFAULT_CHUNKING,
    log: () => {},
  });
  h = await startHarness(ws, { engine: pooled, watchIndex: false });
});
afterAll(async () => {
  await h?.close();
  await pooled?.close();
  await ws?.cleanup();
});

describe('a burst of questions', () => {
  it(`acknowledges and answers with a quote all of ${PEOPLE} /ask sent at once by ${PEOPLE} people`, { timeout: 180_000 }, async () => {
    const handles = Array.from({ length: PEOPLE }, (_, i) =>
      h.fake.slashCommand('ask', { question: QUESTIONS[i % QUESTIONS.length]! }, { user: h.fake.addUser() }),
    );
    const callbacks = await Promise.all(handles.map((i) => i.waitForCallback(150_000)));
    expect(callbacks.map((c) => [c.status, c.body.type])).toEqual(handles.map(() => [204, 5]));
    const edits = await Promise.all(handles.map((i) => i.waitForEdit(150_000)));
    expect(edits.map((e) => e.status)).toEqual(handles.map(() => 200));
    expect(handles.map((i, n) => i.original()?.embeds[0]?.title)).toEqual(handles.map((_, n) => QUESTIONS[n % QUESTIONS.length]));
    expect(new Set(callbacks.map((c) => c.path)).size).toBe(PEOPLE);
  });
});
