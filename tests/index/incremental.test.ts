import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { buildIndex, REBUILD_DELETED_SHARE, type BuildOptions } from '../../src/index/indexer.js';
import { buildLexicalIndex } from '../../src/index/lexical.js';
import { buildPath, currentBuild, loadIndex } from '../../src/index/store.js';
import { contentTerms } from '../../src/index/terms.js';
import { vectorStoreFactory, type VectorStoreFactory } from '../../src/index/vector-store.js';
import { fakeEmbedder } from '../support/fake-embedder.js';
import { seedWorkspace, type SeedWorkspace } from '../support/seed.js';

let ws: SeedWorkspace;
beforeEach(async () => {
  ws = await seedWorkspace();
});
afterEach(() => ws.cleanup());

const build = (embedder = fakeEmbedder(), extra: Partial<BuildOptions> = {}) =>
  buildIndex({ corpusDir: ws.corpusDir, dataDir: ws.dataDir, embedder, chunking: DEFAULT_CHUNKING, ...extra });

/** A front-matter article whose every paragraph is one chunk. */
function article(title: string, paragraphs: string[], date = '2025-04-02'): string {
  return `---\ntitle: ${title}\noutlet: Test Wire\ndate: ${date}\n---\n${paragraphs.join('\n\n')}\n`;
}

const put = (name: string, text: string) => writeFile(join(ws.corpusDir, name), text);
const labelIds = async () => JSON.parse(await readFile(join(buildPath(ws.dataDir, (await currentBuild(ws.dataDir))!), 'vector-ids.json'), 'utf8')) as Array<string | null>;
const chunkIdsOf = (index: Awaited<ReturnType<typeof loadIndex>>, file: string) => {
  const docs = new Set(index.documents.filter((d) => d.file === file).map((d) => d.id));
  return index.chunks.filter((c) => docs.has(c.docId)).map((c) => c.id);
};

const OIL = article('Oil exports rise', ['Crude exports rose in March to a record high.', 'Refiners in Asia bought most of the extra barrels.']);
const GRAIN = article('Grain harvest falls', ['The wheat harvest fell by a fifth after the drought.', 'Millers expect bread prices to climb by summer.']);

describe('re-indexing in place', () => {
  it('after adding a file, parses, chunks and embeds only its chunks and adds them to the previous vector index, whose vectors stay', async () => {
    await put('oil.md', OIL);
    await build();
    const before = await loadIndex(ws.dataDir);
    const idsBefore = await labelIds();
    await put('grain.md', GRAIN);
    const embedder = fakeEmbedder();
    const summary = await build(embedder);
    expect(summary.update).toEqual({ mode: 'in-place', filesRead: 1, files: 3, chunksAdded: 2, chunksRemoved: 0 });
    expect([summary.embedded, summary.cached, embedder.calls]).toEqual([2, 124, 2]);
    const after = await loadIndex(ws.dataDir);
    const grainIds = chunkIdsOf(after, 'grain.md');
    expect(grainIds).toHaveLength(2);
    // In place: the previous labels in their order, then the new chunks'.
    expect(await labelIds()).toEqual([...idsBefore, ...grainIds]);
    const kept = before.chunks.map((c) => c.id);
    expect(after.chunks.filter((c) => !grainIds.includes(c.id)).map((c) => c.id)).toEqual(kept);
    expect(await after.vectors.vectors(kept)).toEqual(await before.vectors.vectors(kept));
    const [grainVector] = await after.vectors.vectors([grainIds[0]!]);
    expect((await after.vectors.search(grainVector!, 1))[0]!.id).toBe(grainIds[0]);
  });

  it('after changing a file, removes its old chunks from search and adds the new ones, leaving the other files alone', async () => {
    await put('oil.md', OIL);
    await put('grain.md', GRAIN);
    await build();
    const before = await loadIndex(ws.dataDir);
    const oldOil = chunkIdsOf(before, 'oil.md');
    const oldVectors = await before.vectors.vectors(oldOil);
    await put('oil.md', article('Oil exports slump', ['Crude exports slumped in April as tankers waited.']));
    const embedder = fakeEmbedder();
    const summary = await build(embedder);
    expect(summary.update).toEqual({ mode: 'in-place', filesRead: 1, files: 3, chunksAdded: 1, chunksRemoved: 2 });
    expect(embedder.calls).toBe(1);
    const after = await loadIndex(ws.dataDir);
    expect(await after.vectors.count()).toBe(125);
    const newOil = chunkIdsOf(after, 'oil.md');
    expect(after.chunks.filter((c) => newOil.includes(c.id)).map((c) => c.text)).toEqual(['Crude exports slumped in April as tankers waited.']);
    for (const vector of oldVectors) {
      const hits = await after.vectors.search(vector!, 125);
      expect(hits.map((h) => h.id).filter((id) => oldOil.includes(id) && !newOil.includes(id))).toEqual([]);
    }
    const grain = chunkIdsOf(after, 'grain.md');
    expect(await after.vectors.vectors(grain)).toEqual(await before.vectors.vectors(grain));
  });

  it('after a paragraph is appended to a file, keeps its unchanged chunks and adds only the new one', async () => {
    await put('oil.md', OIL);
    await build();
    const before = await loadIndex(ws.dataDir);
    await put('oil.md', article('Oil exports rise', ['Crude exports rose in March to a record high.', 'Refiners in Asia bought most of the extra barrels.', 'Tanker rates doubled.']));
    const embedder = fakeEmbedder();
    expect((await build(embedder)).update).toEqual({ mode: 'in-place', filesRead: 1, files: 2, chunksAdded: 1, chunksRemoved: 0 });
    expect(embedder.calls).toBe(1);
    const oil = chunkIdsOf(await loadIndex(ws.dataDir), 'oil.md');
    expect(oil.slice(0, 2)).toEqual(chunkIdsOf(before, 'oil.md'));
  });

  it('after removing a file, its chunks and documents are gone from the build and from search', async () => {
    await put('oil.md', OIL);
    await build();
    const before = await loadIndex(ws.dataDir);
    const oil = chunkIdsOf(before, 'oil.md');
    const oilVectors = await before.vectors.vectors(oil);
    await rm(join(ws.corpusDir, 'oil.md'));
    const summary = await build();
    expect(summary.update).toEqual({ mode: 'in-place', filesRead: 0, files: 1, chunksAdded: 0, chunksRemoved: 2 });
    const after = await loadIndex(ws.dataDir);
    expect(after.documents.filter((d) => d.file === 'oil.md')).toEqual([]);
    expect(after.chunks.map((c) => c.id)).toEqual(before.chunks.map((c) => c.id).filter((id) => !oil.includes(id)));
    for (const vector of oilVectors) expect((await after.vectors.search(vector!, 200)).map((h) => h.id).filter((id) => oil.includes(id))).toEqual([]);
    expect(after.vocabulary.has('refiner')).toBe(false);
    expect(after.lexical.searchTerms([{ term: 'refiner', weight: 1 }], 5)).toEqual([]);
  });

  it('writes the same documents, chunks, terms and BM25 answers as a build from scratch, also when a new file shifts a repeated story id', async () => {
    await put('z-story.md', article('Port strike ends', ['Dock workers went back to work on Monday.']));
    await put('oil.md', OIL);
    await build();
    // Same title, outlet and date as z-story.md, read before it: z-story.md's document id becomes `<id>-2`.
    await put('a-copy.md', article('Port strike ends', ['The port strike ended after a week.']));
    await put('oil.md', article('Oil exports rise', ['Crude exports rose in March to a record high.', 'Refiners in Europe bought the rest.']));
    const incremental = await build();
    expect(incremental.update?.mode).toBe('in-place');
    const updated = await loadIndex(ws.dataDir);
    expect(updated.documents.find((d) => d.file === 'z-story.md')!.id).toMatch(/-2$/);
    const full = await build(fakeEmbedder(), { full: true });
    expect(full.update).toMatchObject({ mode: 'full', filesRead: 4 });
    const scratch = await loadIndex(ws.dataDir);
    expect(updated.documents).toEqual(scratch.documents);
    expect(updated.chunks).toEqual(scratch.chunks);
    expect(updated.chunkTerms).toEqual(scratch.chunkTerms);
    expect([...updated.caseMap].sort()).toEqual([...scratch.caseMap].sort());
    expect([...updated.vocabulary].sort()).toEqual([...scratch.vocabulary].sort());
    expect(updated.outlets).toEqual(scratch.outlets);
    for (const query of ['port strike', 'crude exports refiners', 'Russia mediation talks', 'drones']) {
      const a = updated.lexical.search(query, 10);
      const b = scratch.lexical.search(query, 10);
      expect(a.map((r) => r.label)).toEqual(b.map((r) => r.label));
      a.forEach((r, i) => expect(r.score).toBeCloseTo(b[i]!.score, 9));
      expect(updated.lexical.idf(contentTerms(query)[0]!)).toBe(scratch.lexical.idf(contentTerms(query)[0]!));
    }
    expect(await updated.vectors.vectors(updated.chunks.map((c) => c.id))).toEqual(await scratch.vectors.vectors(scratch.chunks.map((c) => c.id)));
  });

  it('--full re-reads every file and lays the vector index out anew from cached vectors, embedding nothing', async () => {
    await put('oil.md', OIL);
    await build();
    await rm(join(ws.corpusDir, 'oil.md'));
    await build();
    expect((await labelIds()).filter((id) => id === null)).toHaveLength(2);
    const embedder = fakeEmbedder();
    const summary = await build(embedder, { full: true });
    expect(summary.update).toEqual({ mode: 'full', filesRead: 1, files: 1, chunksAdded: 122, chunksRemoved: 0 });
    expect([summary.embedded, embedder.calls]).toEqual([0, 0]);
    const ids = await labelIds();
    expect(ids).toHaveLength(122);
    expect(ids.includes(null)).toBe(false);
  });

  it(`lays the vector index out again once removed chunks pass ${REBUILD_DELETED_SHARE * 100}% of its labels, and goes back to in place after`, async () => {
    // 122 seed chunks + 40: removing the 40 leaves 40 / 162 = 25% of the labels deleted.
    await put('long.md', article('A long report', Array.from({ length: 40 }, (_, i) => `Paragraph number ${i} reports on harbour ${i}.`)));
    await put('oil.md', OIL);
    await build();
    // 2 / 164 removed: in place.
    await put('oil.md', article('Oil exports rise', ['Crude exports rose again.']));
    expect((await build()).update).toMatchObject({ mode: 'in-place', chunksRemoved: 2, chunksAdded: 1 });
    await rm(join(ws.corpusDir, 'long.md'));
    const embedder = fakeEmbedder();
    const summary = await build(embedder);
    expect(summary.update).toEqual({ mode: 'rebuilt', filesRead: 0, files: 2, chunksAdded: 0, chunksRemoved: 40 });
    expect(embedder.calls).toBe(0);
    const ids = await labelIds();
    expect([ids.length, ids.includes(null)]).toEqual([123, false]);
    await put('grain.md', GRAIN);
    expect((await build()).update).toMatchObject({ mode: 'in-place', chunksAdded: 2 });
    expect(await labelIds()).toEqual([...ids, ...chunkIdsOf(await loadIndex(ws.dataDir), 'grain.md')]);
  });
});

describe('a live build that cannot be updated', () => {
  it('is rebuilt from cached vectors when its vector file is truncated and its BM25 index gone, embedding nothing', async () => {
    await build();
    const live = buildPath(ws.dataDir, (await currentBuild(ws.dataDir))!);
    await writeFile(join(live, 'vectors.hnsw'), 'torn');
    await rm(join(live, 'lexical.bin'));
    await put('oil.md', OIL);
    const embedder = fakeEmbedder();
    const summary = await build(embedder);
    expect(summary.update).toEqual({ mode: 'rebuilt', filesRead: 1, files: 2, chunksAdded: 2, chunksRemoved: 0 });
    expect(embedder.calls).toBe(2);
    const index = await loadIndex(ws.dataDir);
    expect([await index.vectors.count(), index.chunkTerms.length]).toEqual([124, 124]);
    expect(index.lexical.search('crude exports', 1).map((r) => index.chunks[r.label]!.text)).toEqual(['Crude exports rose in March to a record high.']);
  });
});

describe('the BM25 index saved with the build', () => {
  it('loads and answers exactly as one built from the same chunks', async () => {
    await put('oil.md', OIL);
    await build();
    const loaded = await loadIndex(ws.dataDir);
    const docById = new Map(loaded.documents.map((d) => [d.id, d]));
    const chunkTerms = loaded.chunks.map((c) => contentTerms(c.text));
    const rebuilt = buildLexicalIndex(loaded.chunks, docById);
    expect(loaded.chunkTerms).toEqual(chunkTerms);
    for (const query of ['Iran drones', 'Russia mediation', 'crude exports', 'ceasefire talks in Baku', 'Oil exports rise']) {
      expect(loaded.lexical.search(query, 10)).toEqual(rebuilt.search(query, 10));
      const terms = contentTerms(query).map((term, i) => ({ term, weight: i === 0 ? 1 : 0.5 }));
      expect(loaded.lexical.searchTerms(terms, 10)).toEqual(rebuilt.searchTerms(terms, 10));
      for (const term of contentTerms(query)) expect(loaded.lexical.idf(term)).toBe(rebuilt.idf(term));
    }
    expect(loaded.lexical.search('Iran drones', 10).length).toBeGreaterThan(0);
  });
});

describe('atomic builds', () => {
  /** The embedded store, whose save writes part of its files and then fails, like a full disk. */
  async function failingStores(): Promise<VectorStoreFactory> {
    const real = await vectorStoreFactory();
    const failing = <T extends { save(dir: string): Promise<void> }>(store: T): T => {
      store.save = async (dir: string) => {
        await writeFile(join(dir, 'vectors.hnsw'), 'torn');
        throw new Error('ENOSPC: no space left on device');
      };
      return store;
    };
    return { kind: real.kind, create: async (d, c) => failing(await real.create(d, c)), load: async (dir, d) => failing(await real.load(dir, d)) };
  }

  it('never makes a torn build CURRENT: the live one stays, nothing partial is left, and the next build goes on from the live one', async () => {
    await build();
    const live = await currentBuild(ws.dataDir);
    await put('oil.md', OIL);
    await expect(build(fakeEmbedder(), { stores: await failingStores() })).rejects.toThrow('ENOSPC');
    expect(await currentBuild(ws.dataDir)).toBe(live);
    expect((await readdir(join(ws.dataDir, 'index', 'builds'))).filter((name) => name.endsWith('.partial'))).toEqual([]);
    expect((await loadIndex(ws.dataDir)).chunks).toHaveLength(122);
    expect((await build()).update).toMatchObject({ mode: 'in-place', filesRead: 1, chunksAdded: 2 });
  });

  it('never reads a .partial directory left by a build that died, even one with a manifest', async () => {
    await build();
    const live = await currentBuild(ws.dataDir);
    const dead = join(ws.dataDir, 'index', 'builds', '99999999999999999-dead.partial');
    await mkdir(dead);
    await writeFile(join(dead, 'manifest.json'), '{}');
    await put('oil.md', OIL);
    const summary = await build();
    expect(summary.update?.mode).toBe('in-place');
    const now = await currentBuild(ws.dataDir);
    expect([now === live, now!.endsWith('.partial')]).toEqual([false, false]);
    // The dead one does not count as the build kept before the live one.
    expect((await readdir(join(ws.dataDir, 'index', 'builds'))).sort()).toEqual([live, now, '99999999999999999-dead.partial'].sort());
  });
});
