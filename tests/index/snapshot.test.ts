import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { openEngine } from '../../src/index/engine.js';
import { buildIndex } from '../../src/index/indexer.js';
import { composeAnswer } from '../../src/index/compose.js';
import { retrieve } from '../../src/index/retriever.js';
import { answer, DEFAULT_K, findHeadlines, loadOrBuild, loadSnapshot, type Snapshot } from '../../src/index/snapshot.js';
import { vectorStoreFactory, type VectorStoreFactory } from '../../src/index/vector-store.js';
import { seedWorkspace, useEmbedderOptions, type SeedWorkspace } from '../support/seed.js';

/**
 * The query embedders the engine loads (createEmbedderById) can be held at a gate, so that a
 * question is provably in flight while the engine swaps its snapshot.
 */
const gate = vi.hoisted(() => ({ hold: null as Promise<void> | null, entered: () => {} }));
vi.mock('../../src/index/embedder.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/index/embedder.js')>();
  return {
    ...real,
    async createEmbedderById(...args: Parameters<typeof real.createEmbedderById>) {
      const inner = await real.createEmbedderById(...args);
      return {
        id: inner.id,
        dimensions: inner.dimensions,
        async embed(texts: string[]) {
          gate.entered();
          if (gate.hold) await gate.hold;
          return inner.embed(texts);
        },
        close: () => inner.close?.(),
      };
    },
  };
});

const THREE_PLUS_THREE = 'Which countries take part in the 3+3 format?';
const SEED_ARTICLE = { id: 'a95e3e82', kind: 'article', title: 'Are Iran and Azerbaijan coming to the brink of war?', outlet: 'Middle East Eye', date: null, url: null };

let ws: SeedWorkspace;
let stores: VectorStoreFactory;
let seed: Snapshot;
beforeAll(async () => {
  ws = await seedWorkspace();
  stores = await vectorStoreFactory();
  const embedder = useEmbedderOptions(join(ws.root, 'models'));
  seed = await loadOrBuild({ corpusDir: ws.corpusDir, dataDir: ws.dataDir, embedder, chunking: DEFAULT_CHUNKING, stores, log: () => {}, buildIfMissing: true });
});
afterAll(async () => {
  await seed?.embedder.close?.();
  await ws?.cleanup();
});

describe('answer() on the seed index', () => {
  it('quotes the passage that answers, with its source, best first', async () => {
    const result = await answer(seed, THREE_PLUS_THREE, { k: 1 });
    expect(result.answered).toBe(true);
    expect(result.passages.map((p) => [p.text, p.source])).toEqual([[
      'Iran is not interested in western-led peacekeeping missions in the South Caucasus. Rather, it would prefer to resolve the crisis via the 3+3 format, involving Iran, Russia, Turkey, Armenia, Azerbaijan, and Georgia.',
      SEED_ARTICLE,
    ]]);
    expect(result.passages[0]!.score).toBe(1);
  });

  it('answers a question about the coverage itself with the outlets and their dates', async () => {
    const result = await answer(seed, 'Which outlets covered the naval drills?');
    expect(result.coverage).toEqual({
      kind: 'outlets',
      topic: 'naval drills',
      documents: 2,
      outlets: [
        { outlet: 'The Jerusalem Post', count: 1, dates: ['2025-03-11'] },
        { outlet: 'The Times of Israel', count: 1, dates: ['2025-03-11'] },
      ],
    });
    expect(result.passages.map((p) => p.source.outlet)).toEqual(['The Jerusalem Post', 'The Times of Israel']);
  });

  it('refuses a question the corpus does not answer, with no passages at all', async () => {
    expect(await answer(seed, 'How do I bake bread?')).toEqual({ question: 'How do I bake bread?', answered: false, passages: [], more: [] });
  });

  it('says which filter matched nothing when it answers from the nearest', async () => {
    const result = await answer(seed, 'What did Newsweek report on December 25, 2024?');
    expect([result.answered, result.unmatched]).toEqual([true, { outlet: 'Newsweek', date: { year: 2024, month: 12, day: 25 } }]);
  });

  it('lists without embedding or ranking a question of an outlet, a date or "latest" only, and quotes what the ranked reading quotes', async () => {
    const embedded: string[] = [];
    const counting: Snapshot = { ...seed, embedder: { ...seed.embedder, embed: (texts) => (embedded.push(...texts), seed.embedder.embed(texts)) } };
    for (const question of ['What did Newsweek report?', 'the latest news', 'What happened on March 7?', 'What did Newsweek report on December 25, 2024?']) {
      const listed = await answer(counting, question);
      expect(embedded, question).toEqual([]);
      const ranked = composeAnswer(question, await retrieve(counting, question, DEFAULT_K));
      expect(embedded.length, question).toBe(1);
      embedded.length = 0;
      expect(listed.passages.length, question).toBeGreaterThan(0);
      expect(listed, question).toEqual(ranked);
    }
    // A question with words of its own is ranked: its passages come from the rankings.
    await answer(counting, THREE_PLUS_THREE);
    expect(embedded).toHaveLength(1);
  });

  it('validates before anything else: the error codes of an empty and a wordless question', async () => {
    await expect(answer(seed, '  ')).rejects.toMatchObject({ code: 'QUESTION_EMPTY' });
    await expect(answer(seed, '?!')).rejects.toMatchObject({ code: 'QUESTION_NO_WORDS' });
  });

  it('lists headlines for an outlet query only from that outlet, parsed once by retrieval', async () => {
    const listed = await findHeadlines(seed, { query: 'latest from Newsweek' });
    expect(listed.length).toBeGreaterThan(0);
    expect(new Set(listed.map((doc) => [doc.kind, doc.outlet].join(' ')))).toEqual(new Set(['headline Newsweek']));
  });
});

describe('swapping snapshots', () => {
  it('finishes a question in flight on the snapshot it started with, and answers the next from the new one', async () => {
    const embedder = useEmbedderOptions(join(ws.root, 'models'));
    const engine = await openEngine({ corpusDir: ws.corpusDir, dataDir: ws.dataDir, embedder, chunking: DEFAULT_CHUNKING, log: () => {} });
    try {
      let release!: () => void;
      gate.hold = new Promise((resolve) => (release = resolve));
      const entered = new Promise<void>((resolve) => (gate.entered = resolve));
      const inFlight = engine.ask(THREE_PLUS_THREE, { k: 1 });
      await entered;

      const other = join(ws.root, 'corpus-b');
      await mkdir(other);
      await writeFile(join(other, 'festival.md'), '---\ntitle: Harbour festival draws record crowds\noutlet: Local Gazette\ndate: 2025-05-01\n---\nThe harbour festival drew record crowds on Saturday, with boat parades and music along the quay.\n');
      await buildIndex({ corpusDir: other, dataDir: ws.dataDir, embedder: seed.embedder, chunking: DEFAULT_CHUNKING, stores });
      expect(await engine.reload()).toBe(true);
      expect(engine.about().documents).toBe(1);

      gate.hold = null;
      release();
      expect((await inFlight).passages.map((p) => p.source)).toEqual([SEED_ARTICLE]);
      const next = await engine.ask('Who came to the harbour festival?', { k: 1 });
      expect(next.passages.map((p) => p.source.title)).toEqual(['Harbour festival draws record crowds']);
      // The engine asks through answer(): the same answer as on a snapshot of the same build.
      const loaded = await loadSnapshot({ dataDir: ws.dataDir, embedder, stores, current: seed.embedder });
      expect(await answer(loaded, 'Who came to the harbour festival?', { k: 1 })).toEqual(next);
    } finally {
      gate.hold = null;
      await engine.close();
    }
  });
});
