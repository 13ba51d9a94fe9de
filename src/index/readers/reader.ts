import { createHash } from 'node:crypto';
import type { DocKind, Document, ParseProblem } from '../types.js';

/** The result of reading one corpus file: what parsed, and every problem met on the way. */
export interface ParsedFile {
  documents: Document[];
  problems: ParseProblem[];
}

/**
 * One corpus format. The corpus tries the readers in table order and the first whose extension
 * fits and that `claims` the text reads it; a new format (e.g. a feed) is one more entry.
 */
export interface CorpusReader {
  name: string;
  /** Lower-case file name endings it reads, with the dot. */
  extensions: readonly string[];
  /** Whether the text is in this format. */
  claims(text: string): boolean;
  read(file: string, text: string): ParsedFile;
}

export type DocumentFields = Pick<Document, 'title' | 'outlet' | 'date' | 'url' | 'text'> & Partial<Pick<Document, 'meta'>>;

/** Ids come from the content, so they survive reordering and stay the same across re-indexes. */
export function makeDocument(file: string, line: number, kind: DocKind, fields: DocumentFields): Document {
  const hash = createHash('sha1').update(`${kind}\n${fields.title}\n${fields.outlet}\n${fields.date}`).digest('hex');
  const { meta, ...rest } = fields;
  return { id: `${kind[0]}${hash.slice(0, 7)}`, kind, ...rest, file, line, ...(meta && Object.keys(meta).length > 0 && { meta }) };
}

/** The whole file could not be used. */
export function skipFile(file: string, line: number | undefined, reason: string): ParsedFile {
  return { documents: [], problems: [{ file, ...(line !== undefined && { line }), reason, kind: 'file' }] };
}
