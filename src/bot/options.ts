/** Reading and suggesting slash-command option values. Pure. */
import { NewsdeskError } from '../errors.js';
import { cleanLine, LIMITS, truncateWords } from './text.js';

/** A YYYY-MM-DD date that exists, or BAD_DATE naming the option. Empty means "not given". */
export function parseIsoDate(value: string | null | undefined, option: string): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (match) {
    const [y, m, d] = [Number(match[1]), Number(match[2]), Number(match[3])];
    const date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() === y && date.getUTCMonth() === m - 1 && date.getUTCDate() === d) return text;
  }
  throw new NewsdeskError('BAD_DATE', `${option}: "${truncateWords(text, 40)}" is not a date.`);
}

/** `from` and `to`, checked; BAD_RANGE when from is after to. */
export function parseDateRange(from: string | null | undefined, to: string | null | undefined): { from?: string; to?: string } {
  const start = parseIsoDate(from, 'from');
  const end = parseIsoDate(to, 'to');
  if (start && end && start > end) throw new NewsdeskError('BAD_RANGE', `from ${start} is after to ${end}.`);
  return { ...(start && { from: start }), ...(end && { to: end }) };
}

/** Up to 25 outlets for autocomplete: names starting with what was typed first, then containing it. */
export function outletChoices(outlets: readonly string[], typed: string): Array<{ name: string; value: string }> {
  const needle = typed.trim().toLowerCase();
  const starts = outlets.filter((o) => o.toLowerCase().startsWith(needle));
  const contains = outlets.filter((o) => !o.toLowerCase().startsWith(needle) && o.toLowerCase().includes(needle));
  return [...starts, ...contains]
    .filter((o) => o.length <= LIMITS.choiceName)
    .slice(0, LIMITS.autocompleteChoices)
    .map((o) => ({ name: truncateWords(cleanLine(o) || o, LIMITS.choiceName), value: o }));
}

/** A document id as users paste it: without backticks, "id", or spaces. */
export function cleanDocumentId(raw: string): string {
  return raw.trim().replace(/^id\s+/i, '').replace(/[`\s]/g, '');
}
