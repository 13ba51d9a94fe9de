import { utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { scanCorpus } from '../../src/index/corpus.js';
import { buildIndex } from '../../src/index/indexer.js';
import { loadIndex } from '../../src/index/store.js';
import { fakeEmbedder } from '../support/fake-embedder.js';
import { seedWorkspace, type SeedWorkspace } from '../support/seed.js';

let ws: SeedWorkspace;
beforeEach(async () => {
  ws = await seedWorkspace();
});
afterEach(() => ws.cleanup());

const build = () => buildIndex({ corpusDir: ws.corpusDir, dataDir: ws.dataDir, embedder: fakeEmbedder(), chunking: DEFAULT_CHUNKING });
const oilWith = (sentence: string) => `---\ntitle: Oil\noutlet: Test Wire\ndate: 2025-04-02\n---\n${sentence}\n`;
const oilPath = () => join(ws.corpusDir, 'oil.md');
const textsOf = async (file: string) => {
  const index = await loadIndex(ws.dataDir);
  const docs = new Set(index.documents.filter((d) => d.file === file).map((d) => d.id));
  return index.chunks.filter((c) => docs.has(c.docId)).map((c) => c.text);
};
const LONG_AGO = new Date('2020-01-02T03:04:05Z');

describe('the stat cache of a re-index', () => {
  it('trusts a file whose size, mtime and inode are the recorded ones, and reads it again once its mtime changes, same size or not', async () => {
    await writeFile(oilPath(), oilWith('Crude exports rose.'));
    await utimes(oilPath(), LONG_AGO, LONG_AGO);
    await build();
    // Same size, mtime put back: the stat vouches for the old bytes, so they are not read (as git does).
    await writeFile(oilPath(), oilWith('Crude exports fell.'));
    await utimes(oilPath(), LONG_AGO, LONG_AGO);
    expect((await build()).update).toMatchObject({ mode: 'in-place', filesRead: 0 });
    expect(await textsOf('oil.md')).toEqual(['Crude exports rose.']);
    // Same size, new mtime: read, hashed, re-chunked.
    const later = new Date(LONG_AGO.getTime() + 1000);
    await utimes(oilPath(), later, later);
    expect((await build()).update).toMatchObject({ mode: 'in-place', filesRead: 1, chunksAdded: 1, chunksRemoved: 1 });
    expect(await textsOf('oil.md')).toEqual(['Crude exports fell.']);
  });

  it('hashes again a file modified within two seconds of the scan that recorded it, even with the same stat', async () => {
    await writeFile(oilPath(), oilWith('Crude exports rose.'));
    await build();
    const { mtime } = await import('node:fs/promises').then((fs) => fs.stat(oilPath()));
    await writeFile(oilPath(), oilWith('Crude exports fell.'));
    await utimes(oilPath(), mtime, mtime);
    expect((await build()).update).toMatchObject({ filesRead: 1, chunksAdded: 1, chunksRemoved: 1 });
    expect(await textsOf('oil.md')).toEqual(['Crude exports fell.']);
  });

  it('reads only the files whose stat it cannot vouch for, and hashes the corpus the same either way', async () => {
    await writeFile(oilPath(), oilWith('Crude exports rose.'));
    const whole = await scanCorpus(ws.corpusDir);
    expect(whole.files.map((f) => f.read)).toEqual([true, true]);
    const known = new Map(whole.files.map((f) => [f.name, f]));
    const vouched = await scanCorpus(ws.corpusDir, {
      has: () => true,
      hashOf: (name, stat) => (name === 'oil.md' && stat.size === known.get(name)!.stat.size ? known.get(name)!.hash : undefined),
    });
    expect(vouched.files.map((f) => [f.name, f.read])).toEqual([
      ['000_9ae99c27894fbda8.txt', true],
      ['oil.md', false],
    ]);
    expect(vouched.hash).toBe(whole.hash);
  });
});
