import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NewsdeskError } from '../errors.js';
import { decodeSections, writeSectionsAtomic } from './binary-sections.js';
import { writeFileAtomic } from './fs-atomic.js';
import { countTerms, LexicalWriter, lexicalIndexOf, type FieldPostings, type LexicalArrays, type LexicalIndex, type Sealed } from './lexical.js';
import { contentTerms, WORD } from './terms.js';
import type { Chunk, Document } from './types.js';

/*
 * Everything a snapshot derives from the words of the corpus, computed when a build is written
 * and saved with it, so that loading computes nothing:
 * - lexical.bin (read on load): typed-array sections that load as views over the file's buffer:
 *   the BM25 postings, field lengths and slot labels, each chunk's terms as term numbers, the
 *   term list (whose first part is the vocabulary), the usual casing of each word, the outlets;
 * - term-counts.json (read only by the next build): the counts the vocabulary and the casing come
 *   from, so that a build updates them for the files that changed instead of re-reading every text.
 */
export const TERM_FILES = { lexical: 'lexical.bin', counts: 'term-counts.json' } as const;

/** What a loaded snapshot reads. */
export interface LexicalData {
  lexical: LexicalIndex;
  /** `contentTerms` of each chunk's text, by label. */
  chunkTerms: string[][];
  /** Lower-cased word -> its most frequent form in the documents' texts. */
  caseMap: Map<string, string>;
  /** Every term of the chunks and of the titles. */
  vocabulary: Set<string>;
  outlets: string[];
}

/** Each chunk's terms as term numbers: chunk `label`'s are ids[offsets[label] .. offsets[label + 1]). */
interface ChunkTermTable {
  terms: string[];
  offsets: Uint32Array;
  ids: Int32Array;
}

/** The term data of a build being written, updated chunk by chunk and document by document. */
export interface TermData {
  writer: LexicalWriter;
  /** Terms of the chunks added in this build; the others' are in `previous`. */
  termsById: Map<string, string[]>;
  /** The chunk terms of the build this one updates, by that build's labels. */
  previous: ChunkTermTable | null;
  /** Chunks holding each term. */
  frequency: Map<string, number>;
  /** Documents whose title holds each term. */
  titleCounts: Map<string, number>;
  /** Lower-cased word -> form -> occurrences in the documents' texts. */
  caseCounts: Map<string, Map<string, number>>;
  caseMap: Map<string, string>;
  /** Words whose counts changed since the casing was last settled. */
  touched: Set<string>;
}

interface SavedMeta {
  count: number;
  termCount: number;
  vocabularySize: number;
  averages: number[];
  caseCount: number;
  outlets: string[];
}

interface SavedCounts {
  titleCounts: Array<[string, number]>;
  caseCounts: Array<[string, Array<[string, number]>]>;
}

export function emptyTermData(): TermData {
  return {
    writer: LexicalWriter.empty(),
    termsById: new Map(),
    previous: null,
    frequency: new Map(),
    titleCounts: new Map(),
    caseCounts: new Map(),
    caseMap: new Map(),
    touched: new Set(),
  };
}

export function addChunk(data: TermData, chunk: Chunk, doc: Document | undefined): void {
  const terms = contentTerms(chunk.text);
  data.termsById.set(chunk.id, terms);
  countTerms(data.frequency, terms, 1);
  data.writer.add(chunk, doc);
}

/** `chunk` as it was when added (its document is not needed: the index kept the chunk's field lengths). */
export function removeChunk(data: TermData, chunk: Chunk, _doc?: Document): void {
  countTerms(data.frequency, data.termsById.get(chunk.id) ?? contentTerms(chunk.text), -1);
  data.termsById.delete(chunk.id);
  data.writer.remove(chunk);
}

export function addDocument(data: TermData, doc: Document): void {
  countDocument(data, doc, 1);
}

export function removeDocument(data: TermData, doc: Document): void {
  countDocument(data, doc, -1);
}

function countDocument(data: TermData, doc: Document, delta: 1 | -1): void {
  countTerms(data.titleCounts, contentTerms(doc.title), delta);
  for (const [word] of doc.text.normalize('NFKC').matchAll(WORD)) {
    const lower = word.toLowerCase();
    const forms = data.caseCounts.get(lower) ?? new Map<string, number>();
    const count = (forms.get(word) ?? 0) + delta;
    if (count > 0) forms.set(word, count);
    else forms.delete(word);
    if (forms.size > 0) data.caseCounts.set(lower, forms);
    else data.caseCounts.delete(lower);
    data.touched.add(lower);
  }
}

/** The most frequent form of each changed word; ties go to the first in locale order (as buildCaseMap). */
function settleCasing(data: TermData): void {
  for (const lower of data.touched) {
    const forms = data.caseCounts.get(lower);
    if (!forms) {
      data.caseMap.delete(lower);
      continue;
    }
    let best: [string, number] | null = null;
    for (const form of forms) if (!best || form[1] > best[1] || (form[1] === best[1] && form[0].localeCompare(best[0]) < 0)) best = form;
    data.caseMap.set(lower, best![0]);
  }
  data.touched.clear();
}

const lines = (text: string, count: number) => (count === 0 ? [] : text.split('\n'));

/** Writes lexical.bin and term-counts.json for a build whose chunks and documents are these. */
export async function saveTermData(dir: string, data: TermData, chunks: readonly Chunk[], documents: readonly Document[]): Promise<void> {
  settleCasing(data);
  const vocabulary = new Set(data.frequency.keys());
  for (const term of data.titleCounts.keys()) vocabulary.add(term);
  const outlets = new Set<string>();
  for (const doc of documents) if (doc.outlet) outlets.add(doc.outlet);
  const sealed = data.writer.seal(chunks, [...vocabulary]);
  const { arrays } = sealed;
  const table = chunkTermTable(data, chunks, sealed);
  const meta: SavedMeta = {
    count: chunks.length,
    termCount: arrays.terms.length,
    vocabularySize: vocabulary.size,
    averages: arrays.fields.map((f) => f.average),
    caseCount: data.caseMap.size,
    outlets: [...outlets].sort(),
  };
  const fieldSections = (name: string, f: FieldPostings) => ({ [`${name}.offsets`]: f.offsets, [`${name}.slots`]: f.slots, [`${name}.freqs`]: f.freqs, [`${name}.lengths`]: f.lengths });
  const sections = {
    terms: arrays.terms.join('\n'),
    ...fieldSections('text', arrays.fields[0]!),
    ...fieldSections('title', arrays.fields[1]!),
    labels: arrays.labels,
    'chunkTerms.offsets': table.offsets,
    'chunkTerms.ids': table.ids,
    'caseMap.keys': [...data.caseMap.keys()].join('\n'),
    'caseMap.values': [...data.caseMap.values()].join('\n'),
  };
  const counts: SavedCounts = {
    titleCounts: [...data.titleCounts],
    caseCounts: [...data.caseCounts].map(([lower, forms]) => [lower, [...forms]]),
  };
  await writeSectionsAtomic(join(dir, TERM_FILES.lexical), meta, sections);
  await writeFileAtomic(join(dir, TERM_FILES.counts), JSON.stringify(counts));
}

/** The new build's chunk terms as term numbers: added chunks' from the writer's data, kept ones' copied from the previous table. */
function chunkTermTable(data: TermData, chunks: readonly Chunk[], sealed: Sealed): ChunkTermTable {
  const { termNumber, previousLabels } = sealed;
  const previous = data.previous;
  const renumber = previous ? Int32Array.from(previous.terms, (term) => termNumber.get(term) ?? -1) : new Int32Array(0);
  const offsets = new Uint32Array(chunks.length + 1);
  for (let label = 0; label < chunks.length; label++) {
    const old = previousLabels[label]!;
    const length = old >= 0 ? previous!.offsets[old + 1]! - previous!.offsets[old]! : data.termsById.get(chunks[label]!.id)?.length;
    if (length === undefined) throw new Error(`term data: no terms for chunk ${chunks[label]!.id}`);
    offsets[label + 1] = offsets[label]! + length;
  }
  const ids = new Int32Array(offsets[chunks.length]!);
  for (let label = 0; label < chunks.length; label++) {
    const old = previousLabels[label]!;
    let at = offsets[label]!;
    if (old >= 0) for (let p = previous!.offsets[old]!; p < previous!.offsets[old + 1]!; p++) ids[at++] = renumber[previous!.ids[p]!]!;
    else for (const term of data.termsById.get(chunks[label]!.id)!) ids[at++] = termNumber.get(term)!;
  }
  return { terms: sealed.arrays.terms, offsets, ids };
}

interface SavedLexical {
  meta: SavedMeta;
  arrays: LexicalArrays;
  table: ChunkTermTable;
  caseMap: Map<string, string>;
}

/** lexical.bin of the build in `dir`, as views over the file's buffer. */
async function readLexical(dir: string, chunks: readonly Chunk[]): Promise<SavedLexical> {
  const path = join(dir, TERM_FILES.lexical);
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new NewsdeskError('INDEX_CORRUPT', `${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  try {
    const file = decodeSections(bytes);
    const meta = file.meta as SavedMeta;
    const terms = lines(file.get('terms', 'utf8'), meta.termCount);
    const field = (name: string, average: number): FieldPostings => ({
      offsets: file.get(`${name}.offsets`, 'Uint32Array'),
      slots: file.get(`${name}.slots`, 'Int32Array'),
      freqs: file.get(`${name}.freqs`, 'Uint16Array'),
      lengths: file.get(`${name}.lengths`, 'Uint32Array'),
      average,
    });
    const arrays: LexicalArrays = { terms, fields: [field('text', meta.averages[0]!), field('title', meta.averages[1]!)], labels: file.get('labels', 'Int32Array') };
    const table = { terms, offsets: file.get('chunkTerms.offsets', 'Uint32Array'), ids: file.get('chunkTerms.ids', 'Int32Array') };
    const keys = lines(file.get('caseMap.keys', 'utf8'), meta.caseCount);
    const values = lines(file.get('caseMap.values', 'utf8'), meta.caseCount);
    const caseMap = new Map<string, string>();
    for (let i = 0; i < keys.length; i++) caseMap.set(keys[i]!, values[i]!);
    if (terms.length !== meta.termCount || keys.length !== meta.caseCount || values.length !== meta.caseCount || table.offsets.length !== meta.count + 1) throw new Error('section sizes disagree');
    if (meta.count !== chunks.length) throw new NewsdeskError('INDEX_CORRUPT', `${dir}: terms for ${meta.count} chunks, ${chunks.length} chunks.`);
    return { meta, arrays, table, caseMap };
  } catch (error) {
    if (error instanceof NewsdeskError) throw error;
    throw new NewsdeskError('INDEX_CORRUPT', `${path}: ${(error as Error).message}`);
  }
}

/** A build's term data, to update in the next build. */
export async function readTermData(dir: string, chunks: readonly Chunk[]): Promise<TermData> {
  const saved = await readLexical(dir, chunks);
  const counts = await readJson<SavedCounts>(join(dir, TERM_FILES.counts));
  // A term's chunk frequency is the length of its text postings.
  const frequency = new Map<string, number>();
  const text = saved.arrays.fields[0]!;
  saved.arrays.terms.forEach((term, t) => {
    const df = text.offsets[t + 1]! - text.offsets[t]!;
    if (df > 0) frequency.set(term, df);
  });
  return {
    writer: LexicalWriter.from(saved.arrays, chunks),
    termsById: new Map(),
    previous: saved.table,
    frequency,
    titleCounts: new Map(counts.titleCounts),
    caseCounts: new Map(counts.caseCounts.map(([lower, forms]) => [lower, new Map(forms)])),
    caseMap: saved.caseMap,
    touched: new Set(),
  };
}

/** What a snapshot of the build in `dir` reads: views over lexical.bin, not recomputed. */
export async function loadLexical(dir: string, chunks: readonly Chunk[]): Promise<LexicalData> {
  const { meta, arrays, table, caseMap } = await readLexical(dir, chunks);
  const chunkTerms: string[][] = new Array(meta.count);
  const { terms, offsets, ids } = table;
  for (let label = 0; label < meta.count; label++) {
    const own: string[] = new Array(offsets[label + 1]! - offsets[label]!);
    for (let p = offsets[label]!, i = 0; p < offsets[label + 1]!; p++, i++) own[i] = terms[ids[p]!]!;
    chunkTerms[label] = own;
  }
  return {
    lexical: lexicalIndexOf(arrays),
    chunkTerms,
    caseMap,
    vocabulary: new Set(arrays.terms.slice(0, meta.vocabularySize)),
    outlets: meta.outlets,
  };
}

async function readJson<T>(path: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new NewsdeskError('INDEX_CORRUPT', `${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new NewsdeskError('INDEX_CORRUPT', `${path} is not valid JSON.`);
  }
}
