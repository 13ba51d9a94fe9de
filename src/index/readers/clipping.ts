/**
 * Clippings: a first line `Title – Outlet`, the article's paragraphs, a `See the article here:`
 * trailer, then one headline a line: `- Title - Outlet - March 7th, 2025 [March 7th, 2025]`.
 */
import { DAY_OF_MONTH, isoDate, MONTH_NAME, monthNumber } from '../dates.js';
import type { Document, ParseProblem } from '../types.js';
import { makeDocument, type CorpusReader, type ParsedFile } from './reader.js';

const TRAILER = 'See the article here:';
const EN_DASH = ' – ';
const HYPHEN = ' - ';
const LONG_DATE = String.raw`${MONTH_NAME} ${DAY_OF_MONTH}, (\d{4})`;
/** `- Title - Outlet - March 7th, 2025 [March 7th, 2025]`; the outlet part may be empty or absent. */
const HEADLINE = new RegExp(String.raw`^- (.+?) - ${LONG_DATE}(?: \[[^\]]*\])?\s*$`, 'i');
/** A trailing `| Outlet` in a title, the way many sites name themselves in page titles. */
const PIPE_OUTLET = /^(.+?)\s+\|\s+([A-Z][\w.&' -]{1,40})$/;

export const clippingReader: CorpusReader = {
  name: 'clipping',
  extensions: ['.txt', '.md', '.markdown'],
  claims: isClipping,
  read: parseClipping,
};

/** How many lines read as headlines: how a clipping is told from a plain document. */
export function headlineLines(lines: readonly string[]): number {
  return lines.filter((line) => HEADLINE.test(line.trim())).length;
}

/**
 * A trailer line, and either the `Title – Outlet` first line or headline lines after the
 * trailer: a first line typed with a hyphen does not turn the clipping into one plain document.
 */
function isClipping(text: string): boolean {
  const lines = text.split('\n');
  const trailerAt = lines.findIndex((line) => line.trim() === TRAILER);
  if (trailerAt < 1) return false;
  return lines[0]!.includes(EN_DASH) || headlineLines(lines.slice(trailerAt + 1)) > 0;
}

function parseClipping(file: string, text: string): ParsedFile {
  const lines = text.split('\n');
  const trailerAt = lines.findIndex((line) => line.trim() === TRAILER);
  const documents: Document[] = [];
  const problems: ParseProblem[] = [];
  const { title, outlet, warning } = clippingTitle(lines[0]!);
  if (warning) problems.push({ file, line: 1, reason: warning, kind: 'warning' });
  const body = lines.slice(1, trailerAt).join('\n').trim();
  if (body) {
    documents.push(makeDocument(file, 1, 'article', { title, outlet, date: null, url: null, text: body }));
  } else {
    problems.push({ file, line: 1, reason: 'the article has no paragraphs', kind: 'line' });
  }
  for (let i = trailerAt + 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (!line) continue;
    if (!line.startsWith('- ')) {
      const url = /^https?:\/\/\S+$/.exec(line)?.[0];
      if (url && documents[0]?.kind === 'article') documents[0].url = url;
      else if (i !== trailerAt + 1) problems.push({ file, line: i + 1, reason: 'expected a headline starting with "- "', kind: 'line' });
      continue;
    }
    const parsed = parseHeadline(line);
    if (typeof parsed === 'string') problems.push({ file, line: i + 1, reason: parsed, kind: 'line' });
    else documents.push(makeDocument(file, i + 1, 'headline', { ...parsed, url: null, text: parsed.title }));
  }
  return { documents, problems };
}

/** `Title – Outlet`; with only hyphens, the last ` - ` is taken as the separator, with a warning. */
function clippingTitle(line: string): { title: string; outlet: string | null; warning?: string } {
  if (line.includes(EN_DASH)) {
    const [title, outlet] = splitLast(line, EN_DASH);
    return { title, outlet };
  }
  const [title, outlet] = splitLast(line, HYPHEN);
  if (!outlet) return { title, outlet: null, warning: 'the first line has no "Title – Outlet" en dash; the article has no outlet' };
  return { title, outlet, warning: `the first line uses " - " where "Title – Outlet" has an en dash; read the outlet as "${outlet}"` };
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
  const date = isoDate(Number(year), monthNumber(month), Number(day));
  if (!date) return `"${month} ${day}, ${year}" is not a valid date`;
  // An empty outlet field leaves a trailing " -"; no " - " at all means the field is absent.
  const emptyOutlet = /\s-$/.test(rest);
  const [title, outlet] = emptyOutlet ? [rest.replace(/\s-$/, ''), null] : splitLast(rest, HYPHEN);
  if (outlet) return { title, outlet, date };
  const carried = PIPE_OUTLET.exec(title);
  return carried ? { title: carried[1]!, outlet: carried[2]!, date } : { title, outlet: null, date };
}

/** Splits on the last separator; with none, the whole string is the first part. */
function splitLast(text: string, separator: string): [string, string | null] {
  const at = text.lastIndexOf(separator);
  if (at < 0) return [text.trim(), null];
  return [text.slice(0, at).trim(), text.slice(at + separator.length).trim() || null];
}
