/*
 * A build's documents and chunks live in segments: files of typed-array and text sections
 * (binary-sections.ts), each holding the documents of a run of corpus files, in file order, with
 * their chunks (offsets only: a chunk's text is a slice of its document's) and the sentences the
 * chunker cut them from (what quoting needs). Runs end where a file's name hashes to a boundary,
 * so they depend on the names alone: adding, changing or removing a file rewrites the one segment
 * holding it, and every other segment is hard-linked from the previous build, never rewritten.
 */
import { link, copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeSections, writeSectionsAtomic } from './binary-sections.js';
import { splitDocument } from './chunk.js';
import type { Chunk, ChunkOptions, DocKind, Document } from './types.js';

/** A segment of a build, as its manifest lists it. */
export interface SegmentEntry {
  name: string;
  documents: number;
  chunks: number;
}

/** What a segment holds once read. */
export interface Segment {
  /** The corpus files whose documents it holds, in order (a file with no documents too). */
  files: string[];
  documents: Document[];
  chunks: Chunk[];
}

/** A segment of a build being written: new content, or a file of the previous build linked as it is. */
export type SegmentPlan = SegmentEntry & ({ write: Segment } | { linkFrom: string });

/** About this many files per segment on average: a changed file rewrites about that many files' documents. */
export const SEGMENT_FILES = 256;
/** A run of files whose names never hash to a boundary is cut here anyway. */
const MAX_RUN = 8;

/** FNV-1a: a stable, cheap hash of a file name, the same in every process and version. */
function nameHash(name: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) {
    hash ^= name.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/**
 * Splits the corpus's files (in corpus order) into runs, one segment each. A run starts at a file
 * whose name hashes to a boundary (one name in `every`), so an edit moves no boundary but its own
 * file's; a run reaching `every * MAX_RUN` files is cut there.
 */
export function segmentRuns(files: readonly string[], every = SEGMENT_FILES): Array<[number, number]> {
  const runs: Array<[number, number]> = [];
  let start = 0;
  for (let i = 1; i < files.length; i++) {
    if (nameHash(files[i]!) % every === 0 || i - start >= every * MAX_RUN) {
      runs.push([start, i]);
      start = i;
    }
  }
  if (files.length > 0) runs.push([start, files.length]);
  return runs;
}

// ---- Encoding ----

/** Strings as one text section and their lengths (-1: null). */
function stringColumn(values: ReadonlyArray<string | null>): { text: string; lengths: Int32Array } {
  const lengths = new Int32Array(values.length);
  values.forEach((value, i) => (lengths[i] = value === null ? -1 : value.length));
  return { text: values.filter((v): v is string => v !== null).join(''), lengths };
}

function readStringColumn(text: string, lengths: Int32Array): Array<string | null> {
  const values: Array<string | null> = new Array(lengths.length);
  let at = 0;
  for (let i = 0; i < lengths.length; i++) {
    const length = lengths[i]!;
    if (length < 0) values[i] = null;
    else {
      values[i] = text.slice(at, at + length);
      at += length;
    }
  }
  if (at !== text.length) throw new Error('string lengths disagree with the text');
  return values;
}

/** Values from a small set (outlets, dates) as indexes into a table; -1 for null. */
function tableColumn(values: ReadonlyArray<string | null>): { table: string[]; indexes: Int32Array } {
  const table: string[] = [];
  const index = new Map<string, number>();
  const indexes = Int32Array.from(values, (value) => {
    if (value === null) return -1;
    let i = index.get(value);
    if (i === undefined) index.set(value, (i = table.push(value) - 1));
    return i;
  });
  return { table, indexes };
}

const KINDS: DocKind[] = ['article', 'headline'];

interface SegmentMeta {
  files: string[];
  documents: number;
  chunks: number;
  outlets: string[];
  dates: string[];
  /** [document index, meta] for the documents that have front matter beyond the usual keys. */
  metas: Array<[number, Record<string, unknown>]>;
}

/** The sentences saved for an article (computed when a document came without them), none for a headline. */
function savedSentences(doc: Document, chunking: ChunkOptions): Uint32Array {
  if (doc.kind === 'headline') return new Uint32Array(0);
  return doc.sentences ?? splitDocument(doc, chunking).sentences;
}

export async function writeSegment(path: string, segment: Segment, chunking: ChunkOptions): Promise<void> {
  const docs = segment.documents;
  const fileIndex = new Map(segment.files.map((name, i) => [name, i]));
  const outlets = tableColumn(docs.map((d) => d.outlet));
  const dates = tableColumn(docs.map((d) => d.date));
  const ids = stringColumn(docs.map((d) => d.id));
  const titles = stringColumn(docs.map((d) => d.title));
  const urls = stringColumn(docs.map((d) => d.url));
  // A headline's text is its title: stored once.
  const texts = stringColumn(docs.map((d) => (d.text === d.title ? null : d.text)));
  const chunkCounts = new Uint32Array(docs.length);
  const chunkSpans = new Uint32Array(segment.chunks.length * 2);
  const position = new Map(docs.map((d, i) => [d.id, i]));
  segment.chunks.forEach((chunk, i) => {
    chunkCounts[position.get(chunk.docId)!]!++;
    chunkSpans[2 * i] = chunk.start;
    chunkSpans[2 * i + 1] = chunk.end;
  });
  const sentences = docs.map((d) => savedSentences(d, chunking));
  const sentenceCounts = Uint32Array.from(sentences, (s) => s.length / 2);
  const sentenceSpans = new Uint32Array(sentences.reduce((n, s) => n + s.length, 0));
  let at = 0;
  for (const s of sentences) {
    sentenceSpans.set(s, at);
    at += s.length;
  }
  const meta: SegmentMeta = {
    files: segment.files,
    documents: docs.length,
    chunks: segment.chunks.length,
    outlets: outlets.table,
    dates: dates.table,
    metas: docs.flatMap((d, i): Array<[number, Record<string, unknown>]> => (d.meta ? [[i, d.meta]] : [])),
  };
  await writeSectionsAtomic(path, meta, {
    ids: ids.text,
    'ids.lengths': ids.lengths,
    titles: titles.text,
    'titles.lengths': titles.lengths,
    urls: urls.text,
    'urls.lengths': urls.lengths,
    texts: texts.text,
    'texts.lengths': texts.lengths,
    outlets: outlets.indexes,
    dates: dates.indexes,
    kinds: Int32Array.from(docs, (d) => KINDS.indexOf(d.kind)),
    files: Int32Array.from(docs, (d) => fileIndex.get(d.file) ?? -1),
    lines: Int32Array.from(docs, (d) => d.line),
    'chunks.counts': chunkCounts,
    'chunks.spans': chunkSpans,
    'sentences.counts': sentenceCounts,
    'sentences.spans': sentenceSpans,
  });
}

// ---- Decoding ----

/** Reads a segment; throws an Error naming what is wrong when it is damaged. */
export async function readSegment(path: string): Promise<Segment> {
  const file = decodeSections(await readFile(path));
  const meta = file.meta as SegmentMeta;
  const n = meta.documents;
  const strings = (name: string) => readStringColumn(file.get(name, 'utf8'), file.get(`${name}.lengths`, 'Int32Array'));
  const ids = strings('ids');
  const titles = strings('titles');
  const urls = strings('urls');
  const texts = strings('texts');
  const outlets = file.get('outlets', 'Int32Array');
  const dates = file.get('dates', 'Int32Array');
  const kinds = file.get('kinds', 'Int32Array');
  const files = file.get('files', 'Int32Array');
  const lines = file.get('lines', 'Int32Array');
  const chunkCounts = file.get('chunks.counts', 'Uint32Array');
  const chunkSpans = file.get('chunks.spans', 'Uint32Array');
  const sentenceCounts = file.get('sentences.counts', 'Uint32Array');
  // Copied out of the file's buffer, so that the buffer can go once the segment is read.
  const sentenceSpans = file.get('sentences.spans', 'Uint32Array').slice();
  const columns = [ids, titles, urls, texts, outlets, dates, kinds, files, lines, chunkCounts, sentenceCounts];
  if (columns.some((c) => c.length !== n) || chunkSpans.length !== meta.chunks * 2) throw new Error('section sizes disagree');
  const metas = new Map(meta.metas);
  const documents: Document[] = new Array(n);
  const chunks: Chunk[] = new Array(meta.chunks);
  let chunkAt = 0;
  let sentenceAt = 0;
  for (let i = 0; i < n; i++) {
    const title = titles[i]!;
    const doc: Document = {
      id: ids[i]!,
      kind: KINDS[kinds[i]!]!,
      title,
      outlet: outlets[i]! < 0 ? null : meta.outlets[outlets[i]!]!,
      date: dates[i]! < 0 ? null : meta.dates[dates[i]!]!,
      url: urls[i]!,
      text: texts[i] ?? title,
      file: meta.files[files[i]!]!,
      line: lines[i]!,
    };
    const extra = metas.get(i);
    if (extra) doc.meta = extra;
    const sentenceEnd = sentenceAt + sentenceCounts[i]! * 2;
    if (doc.kind === 'article') doc.sentences = sentenceSpans.subarray(sentenceAt, sentenceEnd);
    sentenceAt = sentenceEnd;
    if (!doc.id || !doc.kind || doc.file === undefined) throw new Error(`document ${i} is damaged`);
    for (let c = 0; c < chunkCounts[i]!; c++, chunkAt++) {
      const start = chunkSpans[2 * chunkAt]!;
      const end = chunkSpans[2 * chunkAt + 1]!;
      chunks[chunkAt] = { id: `${doc.id}#${c}`, docId: doc.id, text: doc.text.slice(start, end), start, end };
    }
    documents[i] = doc;
  }
  if (chunkAt !== meta.chunks || sentenceAt !== sentenceSpans.length) throw new Error('chunk or sentence counts disagree');
  return { files: meta.files, documents, chunks };
}

/** Hard-links a segment from the build it was written in: segments are never written in place. */
export async function linkSegment(fromDir: string, name: string, toDir: string): Promise<void> {
  try {
    await link(join(fromDir, name), join(toDir, name));
  } catch (error) {
    // A file system without hard links: a copy is as good, only slower.
    if (!['EPERM', 'ENOTSUP', 'EXDEV', 'EMLINK'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    await copyFile(join(fromDir, name), join(toDir, name));
  }
}
