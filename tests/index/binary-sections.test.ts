import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSections, writeSectionsAtomic } from '../../src/index/binary-sections.js';
import { loadLexical } from '../../src/index/term-data.js';

let dir: string;
beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), 'newsdesk-sections-'))));
afterAll(() => rm(dir, { recursive: true, force: true }));

const sections = {
  words: 'grain\nport strike\nnaïve',
  empty: '',
  ids: Int32Array.from([-1, 0, 2 ** 31 - 1]),
  offsets: Uint32Array.from([0, 3, 7]),
  freqs: Uint16Array.from([1, 65535, 2]),
  averages: Float64Array.from([0.1, 1 / 3]),
};

describe('a sections file', () => {
  it('reads back every section as written, as views over the file, also from an unaligned buffer', async () => {
    const path = join(dir, 'a.bin');
    await writeSectionsAtomic(path, { count: 3, outlets: ['Al Jazeera'] }, sections);
    const bytes = await readFile(path);
    const unaligned = new Uint8Array(bytes.byteLength + 3).subarray(3);
    unaligned.set(bytes);
    for (const file of [decodeSections(bytes), decodeSections(unaligned)]) {
      expect(file.meta).toEqual({ count: 3, outlets: ['Al Jazeera'] });
      expect(file.get('words', 'utf8')).toBe(sections.words);
      expect(file.get('empty', 'utf8')).toBe('');
      expect(file.get('ids', 'Int32Array')).toEqual(sections.ids);
      expect(file.get('offsets', 'Uint32Array')).toEqual(sections.offsets);
      expect(file.get('freqs', 'Uint16Array')).toEqual(sections.freqs);
      expect(file.get('averages', 'Float64Array')).toEqual(sections.averages);
    }
  });

  it('names what is wrong: not such a file, a missing section, a section of another type, a truncated file', async () => {
    const path = join(dir, 'b.bin');
    await writeSectionsAtomic(path, {}, sections);
    const bytes = await readFile(path);
    expect(() => decodeSections(Buffer.from('{"not": "sections"}'))).toThrow('not a sections file');
    expect(() => decodeSections(bytes).get('nothing', 'utf8')).toThrow('section nothing is missing or damaged');
    expect(() => decodeSections(bytes).get('ids', 'Uint32Array')).toThrow('section ids is missing or damaged');
    expect(() => decodeSections(bytes.subarray(0, bytes.byteLength - 16)).get('averages', 'Float64Array')).toThrow('section averages is missing or damaged');
  });

  it('as a build\'s lexical.bin, damaged, fails the load with INDEX_CORRUPT', async () => {
    await writeFile(join(dir, 'lexical.bin'), 'NDBS\u0004\u0000\u0000\u0000{"x');
    await expect(loadLexical(dir, [])).rejects.toMatchObject({ code: 'INDEX_CORRUPT' });
    await rm(join(dir, 'lexical.bin'));
    await expect(loadLexical(dir, [])).rejects.toMatchObject({ code: 'INDEX_CORRUPT' });
  });
});
