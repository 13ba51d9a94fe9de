/**
 * Plain `.md`/`.markdown`/`.txt` articles with optional YAML front matter between `---` lines.
 * `title`, `outlet`, `date` and `url` fill the document; any other key (author, tags…) is kept as
 * its metadata. Without a title, the first line of the body is the title.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { parseDocumentDate } from '../dates.js';
import type { ParseProblem } from '../types.js';
import { headlineLines } from './clipping.js';
import { makeDocument, skipFile, type CorpusReader, type ParsedFile } from './reader.js';

export const frontMatterReader: CorpusReader = {
  name: 'front-matter',
  extensions: ['.txt', '.md', '.markdown'],
  claims: () => true,
  read: parsePlain,
};

const FIELDS = ['title', 'outlet', 'date', 'url'] as const;
type Field = (typeof FIELDS)[number];

interface FrontMatter {
  fields: Partial<Record<Field, string>>;
  meta: Record<string, unknown>;
  /** 1-based line of each top-level key, for problems. */
  lineOf: (key: string) => number;
  bodyStart: number;
}

function parsePlain(file: string, text: string): ParsedFile {
  const lines = text.split('\n');
  const front = readFrontMatter(file, lines);
  if ('problems' in front) return front;
  const problems: ParseProblem[] = [];
  const { fields } = front;
  let date: string | null = null;
  if (fields.date !== undefined) {
    date = parseDocumentDate(fields.date);
    if (!date) {
      problems.push({
        file,
        line: front.lineOf('date'),
        reason: `date "${fields.date}" is not a date this reads (e.g. 2025-03-18 or March 18, 2025); kept with no date`,
        kind: 'warning',
      });
    }
  }
  let body = lines.slice(front.bodyStart).join('\n').trim();
  let title = fields.title;
  if (!title) {
    const [first, ...rest] = body.split('\n');
    title = (first ?? '').replace(/^#+\s*/, '').trim();
    body = rest.join('\n').trim() || body;
  }
  if (!body) return skipFile(file, front.bodyStart + 1, 'the document has no text');
  if (headlineLines(lines) >= 2) {
    problems.push({ file, line: 1, reason: 'has headline lines but no "See the article here:" line, so it was read as one document', kind: 'warning' });
  }
  const doc = makeDocument(file, front.bodyStart + 1, 'article', {
    title,
    outlet: fields.outlet ?? null,
    date,
    url: fields.url ?? null,
    text: body,
    meta: front.meta,
  });
  return { documents: [doc], problems };
}

/** The front matter's fields and metadata, or the problem that skips the file. */
function readFrontMatter(file: string, lines: string[]): FrontMatter | ParsedFile {
  const none: FrontMatter = { fields: {}, meta: {}, lineOf: () => 1, bodyStart: 0 };
  if (lines[0]?.trim() !== '---') return none;
  const end = lines.findIndex((line, i) => i > 0 && (line.trim() === '---' || line.trim() === '...'));
  if (end < 0) return skipFile(file, 1, 'front matter opened with --- is never closed');
  const source = lines.slice(1, end).join('\n');
  let data: unknown;
  try {
    data = parseYaml(source) ?? {};
  } catch (error) {
    if (!(error instanceof YAMLParseError)) throw error;
    const line = (error.linePos?.[0]?.line ?? 0) + 1;
    return skipFile(file, line, `front matter is not valid YAML: ${error.message.split('\n')[0]}`);
  }
  if (typeof data !== 'object' || Array.isArray(data)) return skipFile(file, 2, 'front matter must be "key: value" lines');
  const lineOf = (key: string) => {
    const at = lines.slice(1, end).findIndex((line) => new RegExp(`^${key}\\s*:`, 'i').test(line));
    return at < 0 ? 1 : at + 2;
  };
  const fields: FrontMatter['fields'] = {};
  const meta: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const field = FIELDS.find((f) => f === key.toLowerCase());
    const scalar = scalarText(value);
    if (field && scalar !== null) fields[field] = scalar;
    else if (value !== null && value !== undefined) meta[key] = jsonSafe(value);
  }
  return { fields, meta, lineOf, bodyStart: end + 1 };
}

/** A string, number or date as one trimmed line of text; null for lists, maps and empty values. */
function scalarText(value: unknown): string | null {
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? null : value.toISOString().slice(0, 10);
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') {
    const text = String(value).replace(/\s+/g, ' ').trim();
    return text || null;
  }
  return null;
}

/** Metadata goes into documents.json: dates become ISO strings, anything else stays as parsed. */
function jsonSafe(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value)) as unknown;
}
