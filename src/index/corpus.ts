import { createHash } from 'node:crypto';
import { NewsdeskError } from '../errors.js';
import type { DocKind, Document, ParseProblem } from './types.js';

/** The result of reading one corpus file: what parsed, and every line that did not. */
export interface ParsedFile {
  documents: Document[];
  problems: ParseProblem[];
}

const TRAILER = 'See the article here:';
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];
const LONG_DATE = String.raw`([A-Z][a-z]+) (\d{1,2})(?:st|nd|rd|th)?, (\d{4})`;
/** `- Title - Outlet - March 7th, 2025 [March 7th, 2025]`; the outlet part may be empty or absent. */
const HEADLINE = new RegExp(String.raw`^- (.+?) - ${LONG_DATE}(?: \[[^\]]*\])?\s*$`);
/** A trailing `| Outlet` in a title, the way many sites name themselves in page titles. */
const PIPE_OUTLET = /^(.+?)\s+\|\s+([A-Z][\w.&' -]{1,40})$/;

/** Parses one file of the corpus: a clipping (article + headline list) or a plain document. */
export function parseFile(file: string, content: string): ParsedFile {
  const text = content.replace(/\r\n?/g, '\n');
  return isClipping(text) ? parseClipping(file, text) : parsePlain(file, text);
}

function isClipping(text: string): boolean {
  const first = text.split('\n', 1)[0] ?? '';
  return first.includes(' – ') && text.includes(`\n${TRAILER}`);
}

/** `Title – Outlet`, paragraphs, the `See the article here:` trailer, then `- ` headline lines. */
function parseClipping(file: string, text: string): ParsedFile {
  const lines = text.split('\n');
  const trailerAt = lines.findIndex((line) => line.trim() === TRAILER);
  const [title, outlet] = splitLast(lines[0]!, ' – ');
  const body = lines.slice(1, trailerAt).join('\n').trim();
  const documents: Document[] = [];
  const problems: ParseProblem[] = [];
  if (body) {
    documents.push(makeDocument(file, 1, 'article', { title, outlet, date: null, url: null, text: body }));
  } else {
    problems.push({ file, line: 1, reason: 'the article has no paragraphs' });
  }
  for (let i = trailerAt + 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (!line.startsWith('- ')) {
      const url = /^https?:\/\/\S+$/.exec(line)?.[0];
      if (url && documents[0]?.kind === 'article') documents[0].url = url;
      else if (i !== trailerAt + 1) problems.push({ file, line: i + 1, reason: 'expected a headline starting with "- "' });
      continue;
    }
    const parsed = parseHeadline(line);
    if (typeof parsed === 'string') problems.push({ file, line: i + 1, reason: parsed });
    else documents.push(makeDocument(file, i + 1, 'headline', { ...parsed, url: null, text: parsed.title }));
  }
  return { documents, problems };
}

export interface HeadlineFields {
  title: string;
  outlet: string | null;
  date: string;
}

/** One headline line, or the reason it cannot be read. */
export function parseHeadline(line: string): HeadlineFields | string {
  const match = HEADLINE.exec(line);
  if (!match) return 'a headline needs "- Title - Outlet - Month Dth, YYYY"';
  const [, rest, month, day, year] = match as unknown as [string, string, string, string, string];
  const date = isoDate(month, day, year);
  if (!date) return `"${month} ${day}, ${year}" is not a valid date`;
  // An empty outlet field leaves a trailing " -"; no " - " at all means the field is absent.
  const emptyOutlet = /\s-$/.test(rest);
  const [title, outlet] = emptyOutlet ? [rest.replace(/\s-$/, ''), null] : splitLast(rest, ' - ');
  if (outlet) return { title, outlet, date };
  const carried = PIPE_OUTLET.exec(title);
  return carried ? { title: carried[1]!, outlet: carried[2]!, date } : { title, outlet: null, date };
}

function isoDate(monthName: string, day: string, year: string): string | null {
  const month = MONTHS.indexOf(monthName.toLowerCase()) + 1;
  const d = Number(day);
  if (month === 0 || d < 1) return null;
  const probe = new Date(Date.UTC(Number(year), month - 1, d));
  if (probe.getUTCMonth() !== month - 1) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Splits on the last separator; with none, the whole string is the first part. */
function splitLast(text: string, separator: string): [string, string | null] {
  const at = text.lastIndexOf(separator);
  if (at < 0) return [text.trim(), null];
  return [text.slice(0, at).trim(), text.slice(at + separator.length).trim() || null];
}

const FRONT_MATTER_KEYS = new Set(['title', 'outlet', 'date', 'url']);

/** A plain `.md`/`.txt` article, with optional `---` front matter of `key: value` lines. */
function parsePlain(file: string, text: string): ParsedFile {
  const lines = text.split('\n');
  const fields: Record<string, string> = {};
  let bodyStart = 0;
  if (lines[0]?.trim() === '---') {
    const end = lines.findIndex((line, i) => i > 0 && line.trim() === '---');
    if (end < 0) return fail(file, 1, 'front matter opened with --- is never closed');
    for (let i = 1; i < end; i++) {
      const problem = readField(lines[i]!, fields);
      if (problem) return fail(file, i + 1, problem);
    }
    bodyStart = end + 1;
  }
  const dateProblem = fields.date !== undefined && !isIsoDate(fields.date);
  if (dateProblem) return fail(file, lines.findIndex((l) => /^date\s*:/.test(l)) + 1, `date "${fields.date}" is not YYYY-MM-DD`);
  let body = lines.slice(bodyStart).join('\n').trim();
  let title = fields.title;
  if (!title) {
    const [first, ...rest] = body.split('\n');
    title = (first ?? '').replace(/^#+\s*/, '').trim();
    body = rest.join('\n').trim() || body;
  }
  if (!body) return fail(file, bodyStart + 1, 'the document has no text');
  const doc = makeDocument(file, bodyStart + 1, 'article', {
    title,
    outlet: fields.outlet ?? null,
    date: fields.date ?? null,
    url: fields.url ?? null,
    text: body,
  });
  return { documents: [doc], problems: [] };
}

function readField(line: string, fields: Record<string, string>): string | null {
  if (!line.trim()) return null;
  const match = /^([A-Za-z]+)\s*:\s*(.*)$/.exec(line);
  if (!match) return 'front matter lines look like "key: value"';
  const key = match[1]!.toLowerCase();
  if (!FRONT_MATTER_KEYS.has(key)) return `unknown front matter key "${key}" (use title, outlet, date, url)`;
  fields[key] = match[2]!.trim().replace(/^(["'])(.*)\1$/, '$2');
  return null;
}

function isIsoDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  return !!match && isoDate(MONTHS[Number(match[2]) - 1] ?? '', match[3]!, match[1]!) === value;
}

function fail(file: string, line: number, reason: string): ParsedFile {
  return { documents: [], problems: [{ file, line, reason }] };
}

type DocumentFields = Pick<Document, 'title' | 'outlet' | 'date' | 'url' | 'text'>;

/** Ids come from the content, so they survive reordering and stay the same across re-indexes. */
function makeDocument(file: string, line: number, kind: DocKind, fields: DocumentFields): Document {
  const hash = createHash('sha1').update(`${kind}\n${fields.title}\n${fields.outlet}\n${fields.date}`).digest('hex');
  return { id: `${kind[0]}${hash.slice(0, 7)}`, kind, ...fields, file, line };
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

export function formatProblem(problem: ParseProblem): string {
  return `${problem.file}:${problem.line}: ${problem.reason}`;
}

const CORPUS_FILE = /\.(txt|md)$/i;

/** Reads every .txt/.md file under `dir`, in name order so ids and hashes are reproducible. */
export async function readCorpus(dir: string): Promise<ParsedFile & { files: number; hash: string }> {
  const { readFile } = await import('node:fs/promises');
  const names = (await listFiles(dir)).filter((name) => CORPUS_FILE.test(name)).sort();
  const hash = createHash('sha256');
  const documents: Document[] = [];
  const problems: ParseProblem[] = [];
  for (const name of names) {
    const content = await readFile(`${dir}/${name}`, 'utf8');
    hash.update(`${name}\0${content}\0`);
    const parsed = parseFile(name, content);
    documents.push(...parsed.documents);
    problems.push(...parsed.problems);
  }
  return { documents: dedupeIds(documents), problems, files: names.length, hash: hash.digest('hex') };
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
