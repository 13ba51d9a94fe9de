/**
 * Reads the date, period and outlet a question names ("on March 7", "in February 2025",
 * "latest", "what did Reuters report"), and the text left once they are taken out.
 */

import { DAY_OF_MONTH, MONTH_NAME, monthNumber } from './dates.js';
import type { DatePattern } from './types.js';

export type { DatePattern };

export interface ParsedQuery {
  /** The question without the date and outlet phrases: what retrieval searches for. */
  text: string;
  date?: DatePattern;
  /** "latest", "most recent", "newest": prefer newer documents. */
  recent: boolean;
  /** One of the corpus's outlets, exactly as the corpus spells it. */
  outlet?: string;
}

const MONTH = MONTH_NAME;
const DAY = DAY_OF_MONTH;
const YEAR = String.raw`((?:19|20)\d{2})`;
const LEAD = String.raw`(?:\b(?:on|in|during|from|since|of|for)\s+)?(?:the\s+)?`;

/** Tried in order; the first that matches wins. Each maps its groups to a pattern. */
const DATE_FORMS: Array<{ re: RegExp; read: (m: RegExpExecArray) => DatePattern }> = [
  { re: new RegExp(String.raw`${LEAD}\b${YEAR}-(\d{2})-(\d{2})\b`, 'i'), read: (m) => ({ year: +m[1]!, month: +m[2]!, day: +m[3]! }) },
  { re: new RegExp(String.raw`${LEAD}\b${MONTH}\s+${DAY}\b(?:,?\s+${YEAR}\b)?`, 'i'), read: (m) => ({ month: month(m[1]!), day: +m[2]!, ...year(m[3]) }) },
  { re: new RegExp(String.raw`${LEAD}\b${DAY}\s+(?:of\s+)?${MONTH}\b(?:,?\s+${YEAR}\b)?`, 'i'), read: (m) => ({ month: month(m[2]!), day: +m[1]!, ...year(m[3]) }) },
  { re: new RegExp(String.raw`${LEAD}\b${MONTH}\b(?:,?\s+${YEAR}\b)?`, 'i'), read: (m) => ({ month: month(m[1]!), ...year(m[2]) }) },
  // A bare year only as a period ("in 2024?"), not as a name ("the 2020 war").
  { re: new RegExp(String.raw`\b(?:in|during|since)\s+${YEAR}(?=\s*[?.!,]?\s*$)`, 'i'), read: (m) => ({ year: +m[1]! }) },
];
/** Plain "recent" is left out: "in recent years" names no date to prefer. */
const RECENT = /\b(?:the\s+)?(?:latest|newest|most\s+recent(?:ly)?)\b/i;
/** "May" and "march" are also ordinary words: a month name alone counts only when capitalized. */
const AMBIGUOUS_MONTH = /^(?:may|march)$/i;

const month = monthNumber;

function year(text: string | undefined): DatePattern {
  return text ? { year: +text } : {};
}

function validDate(pattern: DatePattern): boolean {
  if (pattern.month !== undefined && (pattern.month < 1 || pattern.month > 12)) return false;
  return pattern.day === undefined || (pattern.day >= 1 && pattern.day <= 31);
}

export function parseDate(text: string): { date: DatePattern; rest: string } | null {
  for (const form of DATE_FORMS) {
    const match = form.re.exec(text);
    if (!match) continue;
    const date = form.read(match);
    const bareMonth = date.day === undefined && date.year === undefined && match[1] && AMBIGUOUS_MONTH.test(match[1]);
    if (bareMonth && !/^[A-Z]/.test(match[1]!)) continue;
    if (!validDate(date)) continue;
    return { date, rest: cut(text, match.index, match[0].length) };
  }
  return null;
}

function cut(text: string, at: number, length: number): string {
  return `${text.slice(0, at)} ${text.slice(at + length)}`.replace(/\s+/g, ' ').trim();
}

/** Outlet and date limits a store applies itself (STORE=postgres: WHERE clauses). Dates are inclusive YYYY-MM-DD. */
export interface ChunkFilter {
  outlet?: string;
  from?: string;
  to?: string;
}

const iso = (year: number, month: number, day: number) => `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;

/**
 * The days a pattern names, as an inclusive range, when they are certain: the pattern has a year.
 * "March 7" names a day of every year, which no range holds: `matchesDate` checks it after fusion.
 */
export function dateRange(pattern: DatePattern): { from: string; to: string } | null {
  const { year, month, day } = pattern;
  if (year === undefined) return null;
  if (month === undefined) return day === undefined ? { from: iso(year, 1, 1), to: iso(year, 12, 31) } : null;
  if (day !== undefined) return { from: iso(year, month, day), to: iso(year, month, day) };
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return { from: iso(year, month, 1), to: iso(year, month, lastDay) };
}

/** A question's outlet and certain date range as a store filter; undefined when it names neither. */
export function storeFilter(parsed: Pick<ParsedQuery, 'outlet' | 'date'>): ChunkFilter | undefined {
  const range = parsed.date ? dateRange(parsed.date) : null;
  if (!parsed.outlet && !range) return undefined;
  return { ...(parsed.outlet && { outlet: parsed.outlet }), ...range };
}

/** Does an ISO date fall within the pattern? Undated documents never match a date. */
export function matchesDate(iso: string | null, pattern: DatePattern): boolean {
  if (!iso) return false;
  const [y, m, d] = dateParts(iso);
  return (pattern.year === undefined || pattern.year === y) && (pattern.month === undefined || pattern.month === m) && (pattern.day === undefined || pattern.day === d);
}

/** An ISO date's numbers, remembered: a listing checks each of the corpus's dates per question. */
const partsOf = new Map<string, number[]>();

function dateParts(iso: string): number[] {
  let parts = partsOf.get(iso);
  if (!parts) {
    if (partsOf.size >= 100_000) partsOf.clear();
    partsOf.set(iso, (parts = iso.split('-').map(Number)));
  }
  return parts;
}

/**
 * The ways a question can name an outlet: its full name, and without a leading "The" when what
 * is left is still distinctive (more than one word: "The Times" stays whole, "Times" is a word).
 */
function outletForms(outlet: string): string[] {
  const forms = [outlet];
  const bare = outlet.replace(/^the\s+/i, '');
  if (bare !== outlet && /\s/.test(bare)) forms.push(bare);
  return forms;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Each outlet with its forms: the pattern (made when first needed), and the form in lower case when it is all ASCII. */
type OutletPatterns = Array<{ outlet: string; forms: Array<{ form: string; pattern?: RegExp; ascii: string | null }> }>;

/** Compiled once per outlet list (a snapshot's `outlets`): a question reads every outlet several times. */
const compiled = new WeakMap<readonly string[], OutletPatterns>();

const ASCII = /^[\x00-\x7f]*$/;

function outletPatterns(outlets: readonly string[]): OutletPatterns {
  let patterns = compiled.get(outlets);
  if (!patterns) {
    patterns = outlets.map((outlet) => ({
      outlet,
      forms: outletForms(outlet).map((form) => ({ form, ascii: ASCII.test(form) ? form.toLowerCase() : null })),
    }));
    compiled.set(outlets, patterns);
  }
  return patterns;
}

/** The longest outlet named in the text, so "The Times of Israel" wins over "The Times". */
export function findOutlet(text: string, outlets: readonly string[]): { outlet: string; rest: string } | null {
  // In ASCII text an ASCII form matches, case aside, only where its lower case is a substring of
  // the text's: the patterns of the other outlets need not run, nor be compiled by the first
  // question (compiling a case-blind Unicode pattern costs milliseconds, and a corpus has dozens).
  const lower = ASCII.test(text) ? text.toLowerCase() : null;
  let best: { outlet: string; at: number; length: number } | null = null;
  for (const { outlet, forms } of outletPatterns(outlets)) {
    for (const entry of forms) {
      if (lower !== null && entry.ascii !== null && !lower.includes(entry.ascii)) continue;
      entry.pattern ??= new RegExp(String.raw`(?<![\p{L}\p{N}])(?:the\s+)?${escape(entry.form)}(?:['’]s)?(?![\p{L}\p{N}])`, 'iu');
      // Not global or sticky: exec starts at 0 and keeps no state between texts.
      const match = entry.pattern.exec(text);
      if (match && (!best || match[0].length > best.length)) best = { outlet, at: match.index, length: match[0].length };
    }
  }
  return best && { outlet: best.outlet, rest: cut(text, best.at, best.length) };
}

/** Splits a question into what to search for and the date, recency and outlet it asks about. */
export function parseQuery(question: string, outlets: string[]): ParsedQuery {
  let text = question;
  const outlet = findOutlet(text, outlets);
  if (outlet) text = outlet.rest;
  const date = parseDate(text);
  if (date) text = date.rest;
  const recent = RECENT.exec(text);
  if (recent) text = cut(text, recent.index, recent[0].length);
  return {
    text,
    recent: !!recent,
    ...(date && { date: date.date }),
    ...(outlet && { outlet: outlet.outlet }),
  };
}
