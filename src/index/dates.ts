/**
 * The one month list and the one date reader shared by the corpus (dates in files) and the
 * question parser (dates in questions), so both accept the same spellings.
 */
import type { DatePattern } from './types.js';

export const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

/** A month name or its usual abbreviation ("Sep", "Sept", "Sept."), as a regex source with one group. */
export const MONTH_NAME = String.raw`(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?`;
/** A day of the month with an optional ordinal suffix ("7", "7th"), as a regex source with one group. */
export const DAY_OF_MONTH = String.raw`(\d{1,2})(?:st|nd|rd|th)?`;

/** 1–12 for a month name or abbreviation, 0 for anything else. */
export function monthNumber(name: string): number {
  const key = name.toLowerCase().replace(/\.$/, '');
  if (key.length < 3) return 0;
  const index = MONTHS.findIndex((m) => m.startsWith(key));
  return index + 1;
}

/** `YYYY-MM-DD` for a real calendar day, else null (February 30th is not one). */
export function isoDate(year: number, month: number, day: number): string | null {
  if (!Number.isInteger(year) || month < 1 || month > 12 || day < 1) return null;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1 || probe.getUTCDate() !== day) return null;
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const DOCUMENT_DATE_FORMS: Array<{ re: RegExp; read: (m: RegExpExecArray) => [number, number, number] }> = [
  // 2025-03-18, 2025-03-18T10:00:00Z, 2025-03-18 10:00 (the date as written; the time is dropped)
  { re: /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*(?:Z|[+-]\d{2}:?\d{2})?)?$/i, read: (m) => [+m[1]!, +m[2]!, +m[3]!] },
  // 2025/03/18
  { re: /^(\d{4})\/(\d{1,2})\/(\d{1,2})$/, read: (m) => [+m[1]!, +m[2]!, +m[3]!] },
  // March 18, 2025 · March 18th 2025 · Mar. 18, 2025
  { re: new RegExp(String.raw`^${MONTH_NAME}\s+${DAY_OF_MONTH},?\s+(\d{4})$`, 'i'), read: (m) => [+m[3]!, monthNumber(m[1]!), +m[2]!] },
  // 18 March 2025 · 18th of March, 2025
  { re: new RegExp(String.raw`^${DAY_OF_MONTH}\s+(?:of\s+)?${MONTH_NAME},?\s+(\d{4})$`, 'i'), read: (m) => [+m[3]!, monthNumber(m[2]!), +m[1]!] },
];

/**
 * A date as written in a corpus file, as `YYYY-MM-DD`, or null when it is not one of the forms
 * above (numeric day/month orders like 03/04/2025 are ambiguous, so they are not guessed).
 */
export function parseDocumentDate(text: string): string | null {
  const value = text.trim();
  for (const form of DOCUMENT_DATE_FORMS) {
    const match = form.re.exec(value);
    if (match) return isoDate(...form.read(match));
  }
  return null;
}

/** Days since 1970-01-01 of an ISO date, or null. */
export function dayNumber(iso: string | null): number | null {
  return iso ? Date.parse(`${iso.slice(0, 10)}T00:00:00Z`) / 86_400_000 : null;
}

/** The middle day of a pattern ("March" → March 15th), in `fallbackYear` when it names no year. */
export function patternMiddleDay(pattern: DatePattern, fallbackYear: number): number {
  const year = pattern.year ?? fallbackYear;
  if (pattern.month === undefined) return Date.UTC(year, 6, 1) / 86_400_000;
  return Date.UTC(year, pattern.month - 1, pattern.day ?? 15) / 86_400_000;
}

/** "on March 7, 2025", "on March 7", "in February 2025", "in February", "in 2024". */
export function describeDatePattern(pattern: DatePattern): string {
  const month = pattern.month ? MONTHS[pattern.month - 1]! : '';
  const name = month.charAt(0).toUpperCase() + month.slice(1);
  if (pattern.day !== undefined && name) return `on ${name} ${pattern.day}${pattern.year ? `, ${pattern.year}` : ''}`;
  if (name) return `in ${name}${pattern.year ? ` ${pattern.year}` : ''}`;
  return pattern.year ? `in ${pattern.year}` : '';
}
