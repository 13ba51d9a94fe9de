/**
 * Pure text helpers for Discord: cutting at sentence boundaries, escaping corpus text, and the
 * limits Discord enforces. No discord.js client here, so all of it is unit-testable.
 */
import { escapeMarkdown, type APIEmbed } from 'discord.js';
import { sentences } from '../index/chunk.js';
import { stripInvisible } from '../index/clean-text.js';

/** Discord's message and embed limits (https://discord.com/developers/docs/resources/message#embed-object-embed-limits). */
export const LIMITS = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFields: 25,
  fieldName: 256,
  fieldValue: 1024,
  footer: 2048,
  authorName: 256,
  embedTotal: 6000,
  customId: 100,
  buttonLabel: 80,
  buttonsPerRow: 5,
  rows: 5,
  autocompleteChoices: 25,
  choiceName: 100,
  threadName: 100,
} as const;

/** The mark left where text was cut. */
export const ELLIPSIS = '…';

/** Where to cut `text` so that it plus its mark fits in `max`: the kept length and the mark. */
export function cutAtSentence(text: string, max: number): { end: number; mark: string } {
  if (text.length <= max) return { end: text.length, mark: '' };
  if (max <= ELLIPSIS.length) return { end: 0, mark: max >= ELLIPSIS.length ? ELLIPSIS : '' };
  // Whole sentences, then " …".
  const sentenceMark = ` ${ELLIPSIS}`;
  let end = 0;
  for (const span of sentences(text)) {
    if (span.end + sentenceMark.length > max) break;
    end = span.end;
  }
  if (end > 0) return { end, mark: sentenceMark };
  // A single sentence longer than the room: whole words, then "…".
  return { end: cutAtWord(text, max - ELLIPSIS.length, 0), mark: ELLIPSIS };
}

/**
 * Where to cut `text` to keep at most `room` characters: at the last space after `minSpace`, else
 * at `room`; trailing white space dropped, and never between the halves of a surrogate pair.
 */
function cutAtWord(text: string, room: number, minSpace: number): number {
  const space = text.lastIndexOf(' ', room);
  let cut = space > minSpace ? space : room;
  while (cut > 0 && /\s/.test(text[cut - 1]!)) cut--;
  if (cut > 0 && /[\uD800-\uDBFF]/.test(text[cut - 1]!)) cut--;
  return cut;
}

/**
 * `text` if it fits in `max` characters; otherwise the whole sentences that fit followed by " …",
 * or, when not even the first sentence fits, the whole words that fit followed by "…".
 */
export function truncateAtSentence(text: string, max: number): string {
  const { end, mark } = cutAtSentence(text, max);
  return text.slice(0, end) + mark;
}

/** Cuts a one-line label (title, button, choice) at a word boundary. */
export function truncateWords(text: string, max: number): string {
  if (text.length <= max) return text;
  const room = max - ELLIPSIS.length;
  return text.slice(0, cutAtWord(text, room, room / 2)) + ELLIPSIS;
}

/**
 * Text echoed on one line (a question in a title, a corpus title or outlet): no control,
 * zero-width or bidi-override characters, which could hide text or reverse what follows, and
 * white space runs as single spaces.
 */
export function cleanLine(text: string): string {
  return stripInvisible(text).replace(/\s+/g, ' ').trim();
}

/**
 * The embed within every Discord limit: title, description, footer, author, field names and
 * values each cut to theirs (at sentence or word boundaries), at most 25 fields, and then the
 * 6,000-character total, taken first from the description, then the longest field values.
 */
export function fitEmbed(embed: APIEmbed): APIEmbed {
  const out: APIEmbed = { ...embed };
  if (out.title !== undefined) out.title = truncateWords(out.title, LIMITS.embedTitle);
  if (out.description !== undefined) out.description = truncateAtSentence(out.description, LIMITS.embedDescription);
  if (out.footer) out.footer = { ...out.footer, text: truncateWords(out.footer.text, LIMITS.footer) };
  if (out.author) out.author = { ...out.author, name: truncateWords(out.author.name, LIMITS.authorName) };
  if (out.fields) {
    out.fields = out.fields.slice(0, LIMITS.embedFields).map((field) => ({
      ...field,
      name: truncateWords(field.name, LIMITS.fieldName) || ELLIPSIS,
      value: truncateAtSentence(field.value, LIMITS.fieldValue) || ELLIPSIS,
    }));
  }
  // Over the total: cut the description first, then the longest field values, then the rest.
  for (let excess = embedLength(out) - LIMITS.embedTotal; excess > 0; excess = embedLength(out) - LIMITS.embedTotal) {
    const room = (text: string) => Math.max(ELLIPSIS.length, text.length - excess);
    const longest = (key: 'name' | 'value') => (out.fields ?? []).filter((f) => f[key].length > ELLIPSIS.length).sort((a, b) => b[key].length - a[key].length)[0];
    const value = longest('value');
    const name = longest('name');
    if (out.description && out.description.length > ELLIPSIS.length) out.description = truncateAtSentence(out.description, room(out.description));
    else if (value) value.value = truncateAtSentence(value.value, room(value.value));
    else if (name) name.name = truncateWords(name.name, room(name.name));
    else if (out.footer && out.footer.text.length > ELLIPSIS.length) out.footer = { ...out.footer, text: truncateWords(out.footer.text, room(out.footer.text)) };
    else if (out.author && out.author.name.length > ELLIPSIS.length) out.author = { ...out.author, name: truncateWords(out.author.name, room(out.author.name)) };
    else if (out.title && out.title.length > ELLIPSIS.length) out.title = truncateWords(out.title, room(out.title));
    else break;
  }
  return out;
}

/** What Discord counts towards the 6,000 characters of an embed. */
export function embedLength(embed: APIEmbed): number {
  const fields = (embed.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0);
  return (embed.title?.length ?? 0) + (embed.description?.length ?? 0) + (embed.footer?.text.length ?? 0) + (embed.author?.name.length ?? 0) + fields;
}

/**
 * Corpus or user text made inert for Discord markdown: formatting characters, headings, lists and
 * masked links are escaped, and `<@…>`, `<#…>`, `<t:…>`, `</cmd:…>` and custom emoji stop rendering
 * as mentions or widgets. (Pings are prevented separately by `allowedMentions`.)
 */
export function escapeText(text: string): string {
  return escapeMarkdown(text, { heading: true, bulletedList: true, numberedList: true, maskedLink: true }).replace(
    /<(?=[@#/]|a?:\w+:\d|t:-?\d)/g,
    '\\<',
  );
}

/** Joins items with `separator` within `max` characters, ending with "and N more" when some do not fit. */
export function joinWithin(items: string[], separator: string, max: number): string {
  const all = items.join(separator);
  if (all.length <= max) return all;
  for (let n = items.length - 1; n >= 0; n--) {
    const tail = `and ${items.length - n} more`;
    const text = n > 0 ? `${items.slice(0, n).join(separator)}${separator}${tail}` : tail;
    if (text.length <= max) return text;
  }
  return truncateWords(`${items.length} items`, max);
}

/** A Discord timestamp that each reader sees in their own zone, e.g. `<t:1741694400:R>` ("in 5 seconds"). */
export function discordTime(ms: number, style: 'R' | 'f' | 'F' | 'd' | 't' = 'R'): string {
  return `<t:${Math.ceil(ms / 1000)}:${style}>`;
}

/** A URL safe to put in a masked link `[label](url)`, or null for anything that is not http(s). */
export function safeUrl(url: string | null | undefined): string | null {
  if (!url) return null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return null;
    return parsed.href.replace(/[()\s<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  } catch {
    return null;
  }
}

/** `example.com` for a link label. */
export function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return 'link';
  }
}
