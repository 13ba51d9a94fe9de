/**
 * Documents and chunks in segments (segments.ts): a re-index writes the segments of the files that
 * changed and hard-links the others from the live build; what loads equals a build from scratch;
 * the sentences saved with each article are the ones quoting would split.
 */
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { userMessage } from '../../src/errors.js';
import { DEFAULT_CHUNKING, sentences, type Span } from '../../src/index/chunk.js';
import { pickQuote } from '../../src/index/compose.js';
import { buildIndex, type BuildOptions } from '../../src/index/indexer.js';
import { readSegment, segmentRuns, writeSegment } from '../../src/index/segments.js';
import { buildPath, currentBuild, FORMAT_VERSION, loadIndex, loadManifest } from '../../src/index/store.js';
import { contentTerms } from '../../src/index/terms.js';
import type { Document } from '../../src/index/types.js';
import { writeNewsCorpus } from '../../scripts/support/news-corpus.js';
import { fakeEmbedder } from '../support/fake-embedder.js';
import { seedWorkspace, type SeedWorkspace } from '../support/seed.js';

let ws: SeedWorkspace;
beforeEach(async () => {
  ws = await seedWorkspace();
});
afterEach(() => ws.cleanup());

/** One segment per file, so that the seed and a few small files make several segments. */
const build = (extra: Partial<BuildOptions> = {}) =>
  buildIndex({ corpusDir: ws.corpusDir, dataDir: ws.dataDir, embedder: fakeEmbedder(), chunking: DEFAULT_CHUNKING, segmentFiles: 1, ...extra });
const put = (name: string, title: string, ...paragraphs: string[]) =>
  writeFile(join(ws.corpusDir, name), `---\ntitle: ${title}\noutlet: Test Wire\ndate: 2025-04-02\n---\n${paragraphs.join('\n\n')}\n`);
const live = async () => buildPath(ws.dataDir, (await currentBuild(ws.dataDir))!);

/** The live build's segments by name (a linked segment keeps its name) and their inodes (the same inode: a hard link). */
async function segments(): Promise<Map<string, number>> {
  const dir = await live();
  const manifest = await loadManifest(ws.dataDir, (await currentBuild(ws.dataDir))!);
  const inodes = new Map<string, number>();
  for (const entry of manifest.segments) inodes.set(entry.name, (await stat(join(dir, entry.name))).ino);
  return inodes;
}

/** Loads the live build, then rebuilds from scratch (--full) and expects the same documents and chunks. */
async function expectSameAsScratch() {
  const updated = await loadIndex(ws.dataDir);
  await build({ full: true });
  const scratch = await loadIndex(ws.dataDir);
  expect(updated.documents).toEqual(scratch.documents);
  expect(updated.chunks).toEqual(scratch.chunks);
  return updated;
}

describe('segment runs', () => {
  it('depend on the file names alone: adding a file moves no boundary but its own', () => {
    const names = Array.from({ length: 2000 }, (_, i) => `${String(i).padStart(6, '0')}-article.md`);
    const runs = segmentRuns(names, 16);
    expect(runs.length).toBeGreaterThan(40);
    expect(runs[0]![0]).toBe(0);
    expect(runs.at(-1)![1]).toBe(2000);
    runs.forEach(([start, end], i) => expect(start).toBe(i === 0 ? 0 : runs[i - 1]![1]));
    const starts = (r: Array<[number, number]>, files: string[]) => r.map(([start]) => files[start]!);
    const withOne = [...names.slice(0, 1000), '000999-b.md', ...names.slice(1000)];
    const before = new Set(starts(runs, names));
    const after = starts(segmentRuns(withOne, 16), withOne).filter((name) => name !== '000999-b.md');
    expect(after).toEqual([...before]);
  });

  it('put every file in a segment of its own with one file per segment, and the whole list in one run when it is short', () => {
    expect(segmentRuns(['a', 'b', 'c'], 1)).toEqual([[0, 1], [1, 2], [2, 3]]);
    expect(segmentRuns([], 256)).toEqual([]);
  });
});

describe('a segment file', () => {
  it('gives back every document field and chunk as written: nulls, meta, non-ASCII text, a headline whose text is not its title', async () => {
    const article: Document = {
      id: 'a1', kind: 'article', title: 'Café talks — “résumé” 🚢', outlet: 'Le Monde', date: '2025-03-07', url: 'https://x.example/1',
      text: 'Les négociations 🚢 ont repris. Elles dureront.\n\nUn second paragraphe.', file: 'b/ä.md', line: 6, meta: { author: 'Zoë', tags: ['a', 'b'] },
    };
    const headline: Document = { id: 'h1', kind: 'headline', title: 'Ports reopen', outlet: null, date: null, url: null, text: 'Ports reopen', file: 'c.txt', line: 3 };
    const odd: Document = { ...headline, id: 'h2', text: 'Ports reopen (updated)', line: 4 };
    const second = article.text.indexOf('Un second');
    const firstEnd = article.text.indexOf('\n');
    const chunks = [
      { id: 'a1#0', docId: 'a1', text: article.text.slice(0, firstEnd), start: 0, end: firstEnd },
      { id: 'a1#1', docId: 'a1', text: article.text.slice(second), start: second, end: article.text.length },
      { id: 'h1#0', docId: 'h1', text: 'Ports reopen', start: 0, end: 12 },
      { id: 'h2#0', docId: 'h2', text: odd.text, start: 0, end: odd.text.length },
    ];
    expect(chunks[0]!.text).toBe('Les négociations 🚢 ont repris. Elles dureront.');
    const path = join(ws.root, 'one.bin');
    await writeSegment(path, { files: ['b/ä.md', 'c.txt', 'empty.md'], documents: [article, headline, odd], chunks }, DEFAULT_CHUNKING);
    const read = await readSegment(path);
    expect(read.files).toEqual(['b/ä.md', 'c.txt', 'empty.md']);
    expect(read.documents).toEqual([{ ...article, sentences: Uint32Array.of(0, article.text.indexOf(' Elles'), article.text.indexOf('Elles'), firstEnd, second, article.text.length) }, headline, odd]);
    expect(read.chunks).toEqual(chunks);
  });
});

describe('a re-index with documents and chunks in segments', () => {
  it('writes only the added file\'s segment and hard-links every other one from the live build', async () => {
    await put('a.md', 'Port strike ends', 'Dock workers went back to work on Monday.');
    await put('b.md', 'Oil exports rise', 'Crude exports rose in March to a record high.');
    await build();
    const first = await segments();
    expect(first.size).toBe(3);
    await put('c.md', 'Grain harvest falls', 'The wheat harvest fell by a fifth after the drought.');
    await build();
    const second = await segments();
    expect(second.size).toBe(4);
    const kept = [...second].filter(([name]) => first.has(name));
    expect(kept).toHaveLength(3);
    for (const [name, ino] of kept) expect(ino).toBe(first.get(name));
    expect((await stat(join(await live(), kept[0]![0]))).nlink).toBe(2);
    const index = await expectSameAsScratch();
    expect(index.documents.map((d) => d.file)).toEqual([...index.documents.filter((d) => d.file.endsWith('.txt')).map((d) => d.file), 'a.md', 'b.md', 'c.md']);
  });

  it('rewrites a changed file\'s segment and keeps the others, with the changed text loaded', async () => {
    await put('a.md', 'Port strike ends', 'Dock workers went back to work on Monday.');
    await put('b.md', 'Oil exports rise', 'Crude exports rose in March to a record high.');
    await build();
    const first = await segments();
    await put('a.md', 'Port strike ends', 'Dock workers went back to work on Tuesday.', 'The union called it a win.');
    await build();
    const second = await segments();
    expect([...second.keys()].filter((name) => first.has(name))).toHaveLength(2);
    const index = await expectSameAsScratch();
    expect(index.chunks.filter((c) => c.docId === index.documents.find((d) => d.file === 'a.md')!.id).map((c) => c.text)).toEqual([
      'Dock workers went back to work on Tuesday.',
      'The union called it a win.',
    ]);
  });

  it('drops a removed file\'s segment, and rewrites a kept one whose repeated story id moved', async () => {
    await put('a.md', 'Oil exports rise', 'Crude exports rose in March to a record high.');
    await put('z-story.md', 'Port strike ends', 'Dock workers went back to work on Monday.');
    await build();
    const first = await segments();
    await rm(join(ws.corpusDir, 'a.md'));
    // Read before z-story.md with the same title, outlet and date: z-story.md's id becomes `<id>-2`.
    await put('b-copy.md', 'Port strike ends', 'The port strike ended after a week.');
    const summary = await build();
    expect(summary.update?.mode).toBe('in-place');
    const second = await segments();
    expect(second.size).toBe(3);
    expect([...second.keys()].filter((name) => first.has(name))).toHaveLength(1);
    const index = await expectSameAsScratch();
    expect(index.documents.some((d) => d.file === 'a.md')).toBe(false);
    expect(index.documents.find((d) => d.file === 'z-story.md')!.id).toMatch(/-2$/);
  });

  it('treats an index of format 5 (documents.json and chunks.json) as INDEX_MISMATCH, and re-indexes it from scratch', async () => {
    await build();
    const path = join(await live(), 'manifest.json');
    const { segments: _, ...manifest } = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
    await writeFile(path, JSON.stringify({ ...manifest, formatVersion: 5 }));
    const error = await loadIndex(ws.dataDir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INDEX_MISMATCH', detail: `The index is in format 5; this version reads format ${FORMAT_VERSION}.` });
    expect(userMessage(error)).toContain('Run `npm run reindex`');
    expect((await build()).update?.mode).toBe('full');
    expect((await loadIndex(ws.dataDir)).chunks).toHaveLength(122);
  });

  it('fails to load with INDEX_CORRUPT naming a damaged segment, and the message says to re-index', async () => {
    await put('a.md', 'Port strike ends', 'Dock workers went back to work on Monday.');
    await build();
    const dir = await live();
    const name = (await readdir(dir)).filter((n) => n.startsWith('segment-')).sort()[0]!;
    const bytes = await readFile(join(dir, name));
    await rm(join(dir, name));
    await writeFile(join(dir, name), bytes.subarray(0, bytes.length - 64));
    const error = await loadIndex(ws.dataDir).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'INDEX_CORRUPT' });
    expect((error as { detail: string }).detail).toMatch(new RegExp(`^${join(dir, name)}: section [a-z.]+ is missing or damaged$`));
    expect(userMessage(error)).toContain('Run `npm run reindex`');
    await rm(join(dir, name));
    await expect(loadIndex(ws.dataDir)).rejects.toMatchObject({ code: 'INDEX_CORRUPT', detail: `${join(dir, name)}: ENOENT` });
  });
});

/** What quoting split before sentences were saved: the chunk's paragraph, split again. */
function splitAgain(doc: Document, at: number): Span[] {
  const end = doc.text.indexOf('\n', at);
  const paragraph = { start: doc.text.lastIndexOf('\n', at - 1) + 1, end: end < 0 ? doc.text.length : end };
  return sentences(doc.text.slice(paragraph.start, paragraph.end)).map((s) => ({ start: s.start + paragraph.start, end: s.end + paragraph.start }));
}

function pairs(spans: Span[]): number[] {
  return spans.flatMap((s) => [s.start, s.end]);
}

async function expectSavedSentencesAsSplit() {
  const index = await loadIndex(ws.dataDir);
  const docById = new Map(index.documents.map((d) => [d.id, d]));
  let compared = 0;
  for (const chunk of index.chunks) {
    const doc = docById.get(chunk.docId)!;
    if (doc.kind === 'headline') {
      expect(doc.sentences).toBeUndefined();
      continue;
    }
    const split = splitAgain(doc, chunk.start);
    const end = doc.text.indexOf('\n', chunk.start);
    const paragraph = { start: doc.text.lastIndexOf('\n', chunk.start - 1) + 1, end: end < 0 ? doc.text.length : end };
    const saved: number[] = [];
    for (let i = 0; i < doc.sentences!.length; i += 2) {
      if (doc.sentences![i]! >= paragraph.start && doc.sentences![i + 1]! <= paragraph.end) saved.push(doc.sentences![i]!, doc.sentences![i + 1]!);
    }
    expect(saved).toEqual(pairs(split));
    // And the quote is the one splitting again gives, for words of the chunk and words of its neighbours.
    const idf = (term: string) => 1 + (term.length % 3);
    for (const words of [chunk.text, doc.text.slice(Math.max(0, chunk.start - 80), chunk.start), 'nothing matches here']) {
      const terms = new Set(contentTerms(words));
      expect(pickQuote(doc, chunk, terms, idf)).toEqual(pickQuote({ ...doc, sentences: undefined }, chunk, terms, idf));
    }
    compared++;
  }
  return compared;
}

describe('the sentences saved with a build', () => {
  it('are what pickQuote quotes from, without splitting the paragraph again', () => {
    const first = 'Crude oil exports rose sharply in March to a record high as refiners in Asia bought more barrels.';
    const second = 'The wheat harvest fell by a fifth after the drought, and millers expect bread prices to climb by summer.';
    const text = `${first} ${second}`;
    const doc: Document = { id: 'd', kind: 'article', title: 'T', outlet: null, date: null, url: null, text, file: 'f.md', line: 1 };
    const chunk = { id: 'd#0', docId: 'd', text, start: 0, end: text.length };
    const wheat = new Set(contentTerms('wheat'));
    expect(pickQuote(doc, chunk, wheat, () => 1)).toEqual({ start: first.length + 1, end: text.length });
    // Saved as one sentence (as a chunker that did not cut there would have saved it): quoted whole.
    expect(pickQuote({ ...doc, sentences: Uint32Array.of(0, text.length) }, chunk, wheat, () => 1)).toEqual({ start: 0, end: text.length });
  });

  it('are the sentences quoting would split from each chunk\'s paragraph, on the seed, and give the same quotes', async () => {
    await build({ segmentFiles: undefined });
    expect(await expectSavedSentencesAsSplit()).toBe(42);
  });

  it('are the same on a synthetic news corpus, after an incremental re-index too', async () => {
    await writeNewsCorpus(ws.corpusDir, 400);
    await build({ segmentFiles: 4 });
    await put('zz-added.md', 'An added article', 'Mr. Smith said so. Gen. Jones did not.\n  Leading spaces, then a sentence.  Another one here!', 'Last paragraph.');
    await build({ segmentFiles: 4 });
    expect(await expectSavedSentencesAsSplit()).toBeGreaterThan(100);
  });
});
