import { createHash } from 'node:crypto';
import { NewsdeskError } from '../errors.js';
import { clippingReader } from './readers/clipping.js';
import { frontMatterReader } from './readers/front-matter.js';
import { skipFile, type CorpusReader, type ParsedFile } from './readers/reader.js';
import type { Document, ParseProblem } from './types.js';

export { parseHeadline, type HeadlineFields } from './readers/clipping.js';
export type { CorpusReader, ParsedFile } from './readers/reader.js';

/** Every corpus format, most specific first: the first reader that claims a file reads it. */
export const READERS: readonly CorpusReader[] = [clippingReader, frontMatterReader];

const EXTENSIONS = new Set(READERS.flatMap((reader) => reader.extensions));

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot).toLowerCase();
}

/** Whether some reader takes files with this name. */
export function isCorpusFile(name: string): boolean {
  return EXTENSIONS.has(extensionOf(name));
}

/** Parses the text of one corpus file with the first reader that claims it. */
export function parseFile(file: string, content: string): ParsedFile {
  const text = content.replace(/\r\n?/g, '\n');
  const extension = extensionOf(file);
  const reader = READERS.find((r) => r.extensions.includes(extension) && r.claims(text)) ?? frontMatterReader;
  return reader.read(file, text);
}

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** The file's text, or null when it is binary (has NUL bytes) or not valid UTF-8. */
export function decodeText(bytes: Uint8Array): string | null {
  if (bytes.includes(0)) return null;
  try {
    return UTF8.decode(bytes);
  } catch {
    return null;
  }
}

/** Parses one file's bytes: text that is not UTF-8 is skipped as a whole. */
export function parseBytes(file: string, bytes: Uint8Array): ParsedFile {
  const text = decodeText(bytes);
  return text === null ? skipFile(file, undefined, 'not UTF-8 text') : parseFile(file, text);
}

/** Two files may hold the same story; the later copy gets a suffix so every id stays unique. */
export function dedupeIds(documents: Document[]): Document[] {
  const seen = new Map<string, number>();
  return documents.map((doc) => {
    const count = (seen.get(doc.id) ?? 0) + 1;
    seen.set(doc.id, count);
    return count === 1 ? doc : { ...doc, id: `${doc.id}-${count}` };
  });
}

/** `file:line: reason`, or `file: reason` for a problem with the whole file. */
export function formatProblem(problem: ParseProblem): string {
  const where = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}`;
  return `${where}: ${problem.kind === 'warning' ? 'warning: ' : ''}${problem.reason}`;
}

/** How many files were skipped whole, and how many single lines. */
export function countSkipped(problems: readonly ParseProblem[]): { files: number; lines: number } {
  const files = new Set(problems.filter((p) => p.kind === 'file').map((p) => p.file)).size;
  return { files, lines: problems.filter((p) => p.kind === 'line').length };
}

const READ_AHEAD = 16;

/** What a stat says of a file's content without reading it (git's index keeps the same). */
export interface FileStat {
  size: number;
  mtimeMs: number;
  ino: number;
}

/** One corpus file as a scan saw it: `parsed` is absent when the caller already knew its content. */
export interface ScannedFile {
  name: string;
  /** sha256 of the file's bytes. */
  hash: string;
  /** Taken before the bytes were read: a change after the read shows in the next scan's stat. */
  stat: FileStat;
  /** Whether its bytes were read (false when `hashOf` vouched for them). */
  read: boolean;
  parsed?: ParsedFile;
}

export interface KnownFiles {
  /** Whether a file with these bytes needs no parsing: its documents come from the previous build. */
  has(name: string, hash: string): boolean;
  /** The recorded hash of a file whose stat shows it unchanged since then: it is not read at all. */
  hashOf?(name: string, stat: FileStat): string | undefined;
}

const NOTHING_KNOWN: KnownFiles = { has: () => false };

/**
 * Reads and hashes every file a reader takes under `dir`, in name order so ids and hashes are
 * reproducible. A file whose hash `known` recognizes is not parsed, and one whose stat it
 * recognizes is not even read. `hash` is the whole corpus's (names and file hashes).
 */
export async function scanCorpus(dir: string, known: KnownFiles = NOTHING_KNOWN): Promise<{ files: ScannedFile[]; hash: string }> {
  const { readFile, stat } = await import('node:fs/promises');
  const names = (await listFiles(dir)).filter(isCorpusFile).sort();
  const corpusHash = createHash('sha256');
  const files: ScannedFile[] = [];
  // A few files in flight at once: one at a time, a large corpus waits on each round trip to the thread pool.
  for (let i = 0; i < names.length; i += READ_AHEAD) {
    const batch = names.slice(i, i + READ_AHEAD);
    const scanned = await Promise.all(
      batch.map(async (name) => {
        const { size, mtimeMs, ino } = await stat(`${dir}/${name}`);
        const fileStat = { size, mtimeMs, ino };
        const hash = known.hashOf?.(name, fileStat);
        return { name, stat: fileStat, hash, bytes: hash === undefined ? await readFile(`${dir}/${name}`) : null };
      }),
    );
    for (const { name, stat: fileStat, hash: vouched, bytes } of scanned) {
      const hash = vouched ?? createHash('sha256').update(bytes!).digest('hex');
      corpusHash.update(`${name}\0${hash}\0`);
      const file: ScannedFile = { name, hash, stat: fileStat, read: bytes !== null };
      files.push(bytes === null || known.has(name, hash) ? file : { ...file, parsed: parseBytes(name, bytes) });
    }
  }
  return { files, hash: corpusHash.digest('hex') };
}

/** Reads every file a reader takes under `dir`, in name order so ids and hashes are reproducible. */
export async function readCorpus(dir: string): Promise<ParsedFile & { files: number; hash: string }> {
  const scan = await scanCorpus(dir);
  const documents: Document[] = [];
  const problems: ParseProblem[] = [];
  for (const { parsed } of scan.files) {
    for (const doc of parsed!.documents) documents.push(doc); // no spread: one file may hold ~1e5 headlines
    for (const problem of parsed!.problems) problems.push(problem);
  }
  return { documents: dedupeIds(documents), problems, files: scan.files.length, hash: scan.hash };
}

async function listFiles(dir: string): Promise<string[]> {
  const { readdir } = await import('node:fs/promises');
  try {
    return await readdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    throw new NewsdeskError('CORPUS_EMPTY', `${dir} does not exist (CORPUS_DIR).`);
  }
}
