import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NewsdeskError } from '../errors.js';
import { writeFileAtomic } from './fs-atomic.js';
import { buildLexicalIndex, countTerms, LexicalWriter, lexicalFromSaved, type LexicalIndex } from './lexical.js';
import { buildCaseMap, contentTerms, WORD } from './terms.js';
import type { Chunk, Document } from './types.js';

/*
 * Everything a snapshot derives from the words of the corpus, computed when a build is written
 * and saved with it, so that loading parses JSON and computes nothing:
 * - lexical.json (read on load): the MiniSearch index, document frequencies, each chunk's terms,
 *   the usual casing of each word, the vocabulary and the outlets;
 * - term-counts.json (read only by the next build): the counts the vocabulary and the casing come
 *   from, so that a build updates them for the files that changed instead of re-reading every text.
 */
export const TERM_FILES = { lexical: 'lexical.json', counts: 'term-counts.json' } as const;

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

/** The term data of a build being written, updated chunk by chunk and document by document. */
export interface TermData {
  writer: LexicalWriter;
  termsById: Map<string, string[]>;
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

interface SavedLexical {
  minisearch: unknown;
  frequency: Array<[string, number]>;
  /** Each chunk's terms as positions in `vocabulary`: parsing numbers is quicker than strings, and every chunk then shares one string per term. */
  chunkTerms: number[][];
  caseMap: Array<[string, string]>;
  vocabulary: string[];
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

/** `chunk` and `doc` as they were when added. */
export function removeChunk(data: TermData, chunk: Chunk, doc: Document | undefined): void {
  countTerms(data.frequency, data.termsById.get(chunk.id) ?? contentTerms(chunk.text), -1);
  data.termsById.delete(chunk.id);
  data.writer.remove(chunk, doc);
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

/** Writes lexical.json and term-counts.json for a build whose chunks and documents are these. */
export async function saveTermData(dir: string, data: TermData, chunks: readonly Chunk[], documents: readonly Document[]): Promise<void> {
  settleCasing(data);
  const vocabulary = new Set(data.frequency.keys());
  for (const term of data.titleCounts.keys()) vocabulary.add(term);
  const outlets = new Set<string>();
  for (const doc of documents) if (doc.outlet) outlets.add(doc.outlet);
  const terms = [...vocabulary];
  const position = new Map(terms.map((term, i) => [term, i]));
  const lexical: SavedLexical = {
    minisearch: data.writer.toJSON(),
    frequency: [...data.frequency],
    chunkTerms: chunks.map((chunk) => data.termsById.get(chunk.id)!.map((term) => position.get(term)!)),
    caseMap: [...data.caseMap],
    vocabulary: terms,
    outlets: [...outlets].sort(),
  };
  const counts: SavedCounts = {
    titleCounts: [...data.titleCounts],
    caseCounts: [...data.caseCounts].map(([lower, forms]) => [lower, [...forms]]),
  };
  await writeFileAtomic(join(dir, TERM_FILES.lexical), JSON.stringify(lexical));
  await writeFileAtomic(join(dir, TERM_FILES.counts), JSON.stringify(counts));
}

/** A build's term data, to update in the next build. */
export async function readTermData(dir: string, chunks: readonly Chunk[]): Promise<TermData> {
  const lexical = await readJson<SavedLexical>(join(dir, TERM_FILES.lexical));
  const counts = await readJson<SavedCounts>(join(dir, TERM_FILES.counts));
  if (lexical.chunkTerms.length !== chunks.length) throw new NewsdeskError('INDEX_CORRUPT', `${dir}: terms for ${lexical.chunkTerms.length} chunks, ${chunks.length} chunks.`);
  return {
    writer: LexicalWriter.from(lexical.minisearch),
    termsById: new Map(chunks.map((chunk, label) => [chunk.id, termsOf(lexical, label)])),
    frequency: new Map(lexical.frequency),
    titleCounts: new Map(counts.titleCounts),
    caseCounts: new Map(counts.caseCounts.map(([lower, forms]) => [lower, new Map(forms)])),
    caseMap: new Map(lexical.caseMap),
    touched: new Set(),
  };
}

/** The lexical data of a build that has no lexical.json (a database's), computed from its rows. */
export function computeLexicalData(documents: readonly Document[], chunks: readonly Chunk[]): LexicalData {
  const docById = new Map(documents.map((doc) => [doc.id, doc]));
  const chunkTerms = chunks.map((chunk) => contentTerms(chunk.text));
  return {
    lexical: buildLexicalIndex([...chunks], chunkTerms, docById),
    chunkTerms,
    caseMap: buildCaseMap(documents.map((d) => d.text)),
    vocabulary: new Set([...chunkTerms.flat(), ...documents.flatMap((d) => contentTerms(d.title))]),
    outlets: [...new Set(documents.map((d) => d.outlet).filter((o): o is string => !!o))].sort(),
  };
}

/** What a snapshot of the build in `dir` reads: parsed from lexical.json, not recomputed. */
export async function loadLexical(dir: string, chunks: readonly Chunk[]): Promise<LexicalData> {
  const saved = await readJson<SavedLexical>(join(dir, TERM_FILES.lexical));
  if (saved.chunkTerms.length !== chunks.length) {
    throw new NewsdeskError('INDEX_CORRUPT', `${dir}: terms for ${saved.chunkTerms.length} chunks, ${chunks.length} chunks.`);
  }
  return {
    lexical: lexicalFromSaved(saved.minisearch, new Map(saved.frequency), chunks),
    chunkTerms: saved.chunkTerms.map((_, label) => termsOf(saved, label)),
    caseMap: new Map(saved.caseMap),
    vocabulary: new Set(saved.vocabulary),
    outlets: saved.outlets,
  };
}

const termsOf = (saved: SavedLexical, label: number) => saved.chunkTerms[label]!.map((i) => saved.vocabulary[i]!);

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
