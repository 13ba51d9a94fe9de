import { parseFeed } from 'feedsmith';
import { NewsdeskError } from '../errors.js';
import { htmlToText, oneLine } from './html.js';
import type { FeedItem, ParsedFeed } from './types.js';

/** feedsmith's shapes differ per format; items are read through these few loose accessors. */
type Loose = Record<string, unknown>;

function at(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = current && typeof current === 'object' ? (current as Loose)[key] : undefined;
  return current;
}

/** A string field, or the `value` of an object field (Atom text constructs, RSS guid). */
function str(value: unknown): string | null {
  if (typeof value === 'string') return value.trim() || null;
  if (typeof value === 'number') return String(value);
  if (value && typeof value === 'object' && 'value' in value) return str((value as Loose).value);
  return null;
}

function first(...values: unknown[]): string | null {
  for (const value of values) {
    const text = str(value);
    if (text) return text;
  }
  return null;
}

/**
 * Parses a feed's body (RSS 2.0, RSS 1.0/RDF, Atom or JSON Feed) into normalized items.
 * `source` names the feed in errors and fills `FeedItem.feed`. Throws FEED_INVALID.
 */
export function parseFeedText(body: string, source: string): ParsedFeed {
  let parsed: { format: string; feed: unknown };
  try {
    const trimmed = body.replace(/^\uFEFF/, '').trimStart();
    parsed = parseFeed(trimmed.startsWith('{') ? JSON.parse(trimmed) : trimmed) as { format: string; feed: unknown };
  } catch (error) {
    throw new NewsdeskError('FEED_INVALID', `${source}: ${(error as Error).message}.`, { cause: error });
  }
  const { format, feed } = parsed;
  const title = first(at(feed, 'title'));
  const feedTitle = title ? oneLine(title) : null;
  const outlet = feedTitle ?? hostOf(source) ?? source;
  const raw = (format === 'atom' ? at(feed, 'entries') : at(feed, 'items')) ?? [];
  const read = READERS[format as ParsedFeed['format']];
  const items = (raw as Loose[]).map((item) => finish(read(item), outlet, source));
  const kept = items.filter((i): i is FeedItem => i !== null);
  return { format: format as ParsedFeed['format'], title: feedTitle, items: kept, skipped: items.length - kept.length };
}

interface RawFields {
  guid: string | null;
  url: string | null;
  title: string | null;
  source: string | null;
  date: string | null;
  html: string | null;
}

const READERS: Record<ParsedFeed['format'], (item: Loose) => RawFields> = {
  rss: (item) => ({
    guid: first(item.guid),
    url: first(item.link),
    title: first(item.title),
    source: first(at(item, 'source', 'title')),
    date: first(item.pubDate, at(item, 'dc', 'date'), at(item, 'dcterms', 'created')),
    html: first(at(item, 'content', 'encoded'), item.description),
  }),
  rdf: (item) => ({
    guid: first(at(item, 'rdf', 'about')),
    url: first(item.link),
    title: first(item.title),
    source: first(at(item, 'dc', 'publisher')),
    date: first(at(item, 'dc', 'date')),
    html: first(at(item, 'content', 'encoded'), item.description),
  }),
  atom: (item) => ({
    guid: first(item.id),
    url: atomLink(item.links),
    title: first(item.title),
    source: first(at(item, 'source', 'title')),
    date: first(item.published, item.updated),
    html: first(item.content, item.summary),
  }),
  json: (item) => ({
    guid: first(item.id),
    url: first(item.url, item.external_url),
    title: first(item.title),
    source: null,
    date: first(item.date_published, item.date_modified),
    html: first(item.content_html, item.content_text, item.summary),
  }),
};

function atomLink(links: unknown): string | null {
  if (!Array.isArray(links)) return null;
  const alternate = links.find((link: Loose) => !link.rel || link.rel === 'alternate') ?? links[0];
  return first(at(alternate, 'href'));
}

/** An item with neither a title nor text is dropped: there is nothing to index. */
function finish(raw: RawFields, feedOutlet: string, source: string): FeedItem | null {
  const text = raw.html ? htmlToText(raw.html) : '';
  const title = raw.title ? oneLine(raw.title) : firstSentence(text);
  if (!title) return null;
  return {
    guid: raw.guid,
    url: raw.url && isHttp(raw.url) ? raw.url : null,
    title,
    outlet: (raw.source && oneLine(raw.source)) || feedOutlet,
    date: isoDay(raw.date),
    text,
    feed: source,
  };
}

function firstSentence(text: string): string {
  const sentence = /^.{1,200}?[.!?](?=\s|$)/s.exec(text)?.[0] ?? text.slice(0, 120);
  return sentence.replace(/\s+/g, ' ').trim();
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * The calendar day of an RFC 3339 (Atom, JSON Feed) or RFC 822 (RSS) date as the publisher wrote
 * it: a story filed at 23:30 local time belongs to that day, not to the next one in UTC.
 * Other forms Date.parse reads (e.g. "March 7, 2025", read as local time) give their local day.
 */
export function isoDay(raw: string | null): string | null {
  if (!raw) return null;
  const iso = /^(\d{4})-(\d{2})-(\d{2})/.exec(raw.trim());
  const rfc = /(\d{1,2})\s+([A-Za-z]{3})[a-z]*\.?\s+(\d{4})/.exec(raw);
  if (iso) return validDay(Number(iso[1]), Number(iso[2]), Number(iso[3]));
  if (rfc) return validDay(Number(rfc[3]), MONTHS.indexOf(rfc[2]!.toLowerCase()) + 1, Number(rfc[1]));
  const time = Date.parse(raw);
  if (Number.isNaN(time)) return null;
  const probe = new Date(time);
  return validDay(probe.getFullYear(), probe.getMonth() + 1, probe.getDate());
}

function validDay(year: number, month: number, day: number): string | null {
  if (year < 1000 || year > 9999 || month < 1 || day < 1) return null;
  const probe = new Date(Date.UTC(year, month - 1, day));
  if (probe.getUTCMonth() !== month - 1) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

function isHttp(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

export function hostOf(url: string): string | null {
  try {
    return new URL(url).host || null;
  } catch {
    return null;
  }
}
