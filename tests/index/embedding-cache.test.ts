import { createHash } from 'node:crypto';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { crc32Portable, openEmbeddingCache } from '../../src/index/embedding-cache.js';
import { buildIndex } from '../../src/index/indexer.js';
import { fakeEmbedder } from '../support/fake-embedder.js';
import { SEED_FILE } from '../support/seed.js';

// Embedder id 'fake:one' is 8 bytes: header 16 + 8 = 24 bytes. A 4-dimension record: 32 key + 16 + 4 crc.
const ID = 'fake:one';
const HEADER = 24;
const RECORD = 52;

let dataDir: string;
beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'newsdesk-cache-'));
});
afterEach(() => rm(dataDir, { recursive: true, force: true }));

const vec = (...values: number[]) => Float32Array.from(values);
const bytes = (vector: Float32Array | undefined) => (vector ? [...new Uint8Array(vector.buffer, vector.byteOffset, vector.byteLength)] : undefined);
const cacheFile = (id = ID) => join(dataDir, 'cache', `${createHash('sha256').update(id).digest('hex').slice(0, 16)}.vectors`);
const size = async (id = ID) => (await stat(cacheFile(id))).size;

async function cacheWith(entries: Record<string, Float32Array>, id = ID) {
  const cache = await openEmbeddingCache(dataDir, id);
  for (const [text, vector] of Object.entries(entries)) cache.set(text, vector);
  await cache.save();
  return cache;
}

describe('the binary embedding cache', () => {
  it('gives back exactly the float32 bits it was given, after a save and a reopen', async () => {
    const tricky = vec(0.1, -0, 3.4028234663852886e38, 1.401298464324817e-45);
    await cacheWith({ alpha: tricky, beta: vec(1, 2, 3, 4) });
    const reopened = await openEmbeddingCache(dataDir, ID);
    expect(bytes(reopened.get('alpha'))).toEqual(bytes(tricky));
    expect(bytes(reopened.get('beta'))).toEqual(bytes(vec(1, 2, 3, 4)));
    expect(reopened.get('gamma')).toBeUndefined();
    expect(await size()).toBe(HEADER + 2 * RECORD);
  });

  it('appends each save after what is on file, leaving the earlier bytes as they were', async () => {
    await cacheWith({ alpha: vec(1, 0, 0, 0) });
    const before = await readFile(cacheFile());
    const second = await openEmbeddingCache(dataDir, ID);
    second.set('beta', vec(0, 1, 0, 0));
    await second.save();
    const after = await readFile(cacheFile());
    expect(after.length).toBe(HEADER + 2 * RECORD);
    expect(after.subarray(0, before.length).equals(before)).toBe(true);
    const third = await openEmbeddingCache(dataDir, ID);
    expect([bytes(third.get('alpha')), bytes(third.get('beta'))]).toEqual([bytes(vec(1, 0, 0, 0)), bytes(vec(0, 1, 0, 0))]);
  });

  it('opened for some texts only, holds just their vectors and appends what is set, never compacting away the rest', async () => {
    await cacheWith({ alpha: vec(1, 0, 0, 0), beta: vec(0, 1, 0, 0), gamma: vec(0, 0, 1, 0) });
    const some = await openEmbeddingCache(dataDir, ID, { only: ['beta', 'delta'] });
    expect([bytes(some.get('beta')), some.get('alpha'), some.get('delta')]).toEqual([bytes(vec(0, 1, 0, 0)), undefined, undefined]);
    some.set('delta', vec(0, 0, 0, 1));
    await some.save({ pruneUnused: true });
    expect(await size()).toBe(HEADER + 4 * RECORD);
    const whole = await openEmbeddingCache(dataDir, ID);
    expect(['alpha', 'beta', 'gamma', 'delta'].map((t) => bytes(whole.get(t)))).toEqual([vec(1, 0, 0, 0), vec(0, 1, 0, 0), vec(0, 0, 1, 0), vec(0, 0, 0, 1)].map(bytes));
  });

  it('opened for some texts only over a torn tail, reads it whole and repairs it on save', async () => {
    await cacheWith({ alpha: vec(1, 0, 0, 0), beta: vec(0, 1, 0, 0) });
    await appendFile(cacheFile(), Buffer.alloc(RECORD - 7, 0xab));
    const some = await openEmbeddingCache(dataDir, ID, { only: ['alpha'] });
    some.set('gamma', vec(0, 0, 1, 0));
    await some.save();
    expect(await size()).toBe(HEADER + 3 * RECORD);
    const whole = await openEmbeddingCache(dataDir, ID);
    expect(['alpha', 'beta', 'gamma'].map((t) => bytes(whole.get(t)))).toEqual([vec(1, 0, 0, 0), vec(0, 1, 0, 0), vec(0, 0, 1, 0)].map(bytes));
  });

  it('ignores a torn tail from a crash mid-append, and the next save rewrites the file without it', async () => {
    await cacheWith({ alpha: vec(1, 0, 0, 0), beta: vec(0, 1, 0, 0) });
    await appendFile(cacheFile(), Buffer.alloc(RECORD - 7, 0xab));
    const reopened = await openEmbeddingCache(dataDir, ID);
    expect(bytes(reopened.get('beta'))).toEqual(bytes(vec(0, 1, 0, 0)));
    reopened.set('gamma', vec(0, 0, 1, 0));
    await reopened.save();
    expect(await size()).toBe(HEADER + 3 * RECORD);
    const last = await openEmbeddingCache(dataDir, ID);
    expect([last.get('alpha'), last.get('beta'), last.get('gamma')].map(bytes)).toEqual([vec(1, 0, 0, 0), vec(0, 1, 0, 0), vec(0, 0, 1, 0)].map(bytes));
  });

  it('stops at a whole record whose checksum fails: it and what follows are ignored', async () => {
    await cacheWith({ alpha: vec(1, 0, 0, 0), beta: vec(0, 1, 0, 0), gamma: vec(0, 0, 1, 0) });
    const file = await readFile(cacheFile());
    file[HEADER + RECORD + 40] = file[HEADER + RECORD + 40]! ^ 0xff; // a byte of beta's vector
    await writeFile(cacheFile(), file);
    const reopened = await openEmbeddingCache(dataDir, ID);
    expect([reopened.get('alpha'), reopened.get('beta'), reopened.get('gamma')].map(bytes)).toEqual([bytes(vec(1, 0, 0, 0)), undefined, undefined]);
  });

  it('compacts when most records on file went unused (pruneUnused), keeping exactly the used ones', async () => {
    const entries = Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`text ${i}`, vec(i, i + 1, i + 2, i + 3)]));
    await cacheWith(entries);
    const reopened = await openEmbeddingCache(dataDir, ID);
    for (const i of [2, 5, 7]) reopened.get(`text ${i}`);
    await reopened.save(); // without pruneUnused, nothing is dead: nothing to do
    expect(await size()).toBe(HEADER + 10 * RECORD);
    await reopened.save({ pruneUnused: true });
    expect(await size()).toBe(HEADER + 3 * RECORD);
    expect((await readdir(join(dataDir, 'cache'))).length).toBe(1); // no temp file left behind
    const compacted = await openEmbeddingCache(dataDir, ID);
    expect(Array.from({ length: 10 }, (_, i) => bytes(compacted.get(`text ${i}`)))).toEqual(
      Array.from({ length: 10 }, (_, i) => ([2, 5, 7].includes(i) ? bytes(vec(i, i + 1, i + 2, i + 3)) : undefined)),
    );
  });

  it('does not compact while the dead records are under half of the file', async () => {
    await cacheWith(Object.fromEntries(Array.from({ length: 4 }, (_, i) => [`text ${i}`, vec(i, 0, 0, 0)])));
    const reopened = await openEmbeddingCache(dataDir, ID);
    for (const i of [0, 1]) reopened.get(`text ${i}`);
    reopened.set('text 4', vec(4, 0, 0, 0));
    await reopened.save({ pruneUnused: true }); // 2 dead of 5: append only
    expect(await size()).toBe(HEADER + 5 * RECORD);
  });

  it('keeps the vectors of another embedder apart: another file, and no hits across', async () => {
    await cacheWith({ alpha: vec(1, 0, 0, 0) });
    await cacheWith({ alpha: vec(0, 0, 0, 9) }, 'fake:two');
    const one = await openEmbeddingCache(dataDir, ID);
    const two = await openEmbeddingCache(dataDir, 'fake:two');
    expect([bytes(one.get('alpha')), bytes(two.get('alpha'))]).toEqual([bytes(vec(1, 0, 0, 0)), bytes(vec(0, 0, 0, 9))]);
    expect((await openEmbeddingCache(dataDir, 'fake:three')).get('alpha')).toBeUndefined();
  });

  it('carries over the JSON cache of earlier versions, then removes it', async () => {
    const legacy = join(dataDir, 'cache', `${createHash('sha256').update(ID).digest('hex').slice(0, 16)}.json`);
    const key = createHash('sha256').update('alpha').digest('base64url');
    const vector = vec(0.5, -0.25, 0, 1);
    await mkdir(join(dataDir, 'cache'));
    await writeFile(legacy, JSON.stringify({ embedder: ID, vectors: { [key]: Buffer.from(vector.buffer).toString('base64') } }));
    const cache = await openEmbeddingCache(dataDir, ID);
    expect(bytes(cache.get('alpha'))).toEqual(bytes(vector));
    await cache.save();
    expect(await readdir(join(dataDir, 'cache'))).toEqual([cacheFile().split('/').pop()]);
    expect(bytes((await openEmbeddingCache(dataDir, ID)).get('alpha'))).toEqual(bytes(vector));
  });

  it('refuses a vector of another width than the cache holds', async () => {
    const cache = await cacheWith({ alpha: vec(1, 0, 0, 0) });
    expect(() => cache.set('beta', vec(1, 0))).toThrow('a 2-dimension vector in a 4-dimension cache');
  });
});

describe('the embedding cache under buildIndex', () => {
  it('holds one record per distinct chunk text, embeds nothing the second time, and drops the vectors of a removed file', async () => {
    const corpusDir = join(dataDir, 'corpus');
    await mkdir(corpusDir);
    await writeFile(join(corpusDir, 'seed.txt'), await readFile(SEED_FILE));
    const build = (embedder = fakeEmbedder()) => buildIndex({ corpusDir, dataDir: join(dataDir, 'data'), embedder, chunking: DEFAULT_CHUNKING });
    const file = join(dataDir, 'data', 'cache', `${createHash('sha256').update('fake:bag-of-words').digest('hex').slice(0, 16)}.vectors`);
    // 'fake:bag-of-words' is 17 bytes: header 16 + 17, padded to 36. A 16-dimension record is 32 + 64 + 4.
    expect((await build()).embedded).toBe(122);
    expect((await stat(file)).size).toBe(36 + 121 * 100); // two outlets share one headline text
    const again = fakeEmbedder();
    expect([(await build(again)).cached, again.calls]).toEqual([122, 0]);
    await rm(join(corpusDir, 'seed.txt'));
    await writeFile(join(corpusDir, 'one.md'), '---\ntitle: One\n---\nA single short sentence.\n');
    expect((await build()).embedded).toBe(1);
    expect((await stat(file)).size).toBe(36 + 1 * 100);
  });
});

describe('crc32Portable', () => {
  it('agrees with zlib.crc32 (used when Node has it)', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => (i * 31 + 7) & 0xff);
    expect([crc32Portable(data), crc32Portable(new Uint8Array())]).toEqual([zlib.crc32(data), 0]);
  });
});
