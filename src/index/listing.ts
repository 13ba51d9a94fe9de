import { dayNumber, patternMiddleDay } from './dates.js';
import { matchesDate, type ParsedQuery } from './query.js';
import type { Ranked } from './fusion.js';
import type { Chunk, Document, UnmatchedFilters } from './types.js';

/**
 * The chunks grouped by date, newest date first (undated last), each group in label order, for
 * the whole corpus and per outlet: a filter-only or "latest" question walks these groups and stops
 * at what it needs, instead of sorting and filtering every chunk.
 */
export interface ListingOrder {
  total: number;
  /** Each chunk's place in the newest-first order of the whole corpus. */
  position: Int32Array;
  /** Distinct dates ('' for undated), in newest-first order. */
  dates: string[];
  byDate: Map<string, number[]>;
  /** An outlet's chunks by date (each date's in label order); undefined for an outlet no chunk has. */
  byOutlet(outlet: string): Map<string, number[]> | undefined;
}

interface Sources {
  chunks: Chunk[];
  docById: Map<string, Document>;
}

const orders = new WeakMap<Sources, ListingOrder>();

/** Built on the first listing question of a snapshot, then kept with it. */
export function listingOrder(snapshot: Sources): ListingOrder {
  let order = orders.get(snapshot);
  if (!order) orders.set(snapshot, (order = buildOrder(snapshot)));
  return order;
}

function buildOrder({ chunks, docById }: Sources): ListingOrder {
  // Dates and outlets are numbered, and looked up once per document rather than per chunk (a
  // document's chunks are usually in a row): the order is built on a question's clock. An
  // outlet's groups are made when a question first names it, from the numbers.
  const dateNumber = new Map<string, number>();
  const outletNumber = new Map<string, number>();
  const dateOf = new Int32Array(chunks.length);
  const outletOf = new Int32Array(chunks.length);
  const byDateOf: number[][] = [];
  let lastDoc: string | undefined;
  let date = 0;
  let outlet = -1;
  for (let label = 0; label < chunks.length; label++) {
    const docId = chunks[label]!.docId;
    if (docId !== lastDoc) {
      lastDoc = docId;
      const doc = docById.get(docId)!;
      date = numberOf(dateNumber, doc.date ?? '');
      outlet = doc.outlet ? numberOf(outletNumber, doc.outlet) : -1;
    }
    dateOf[label] = date;
    outletOf[label] = outlet;
    (byDateOf[date] ??= []).push(label);
  }
  const dateNames = [...dateNumber.keys()];
  const byDate = new Map(dateNames.map((name, d) => [name, byDateOf[d]!]));
  const dates = dateNames.sort((a, b) => b.localeCompare(a));
  const position = new Int32Array(chunks.length);
  let i = 0;
  for (const name of dates) for (const label of byDate.get(name)!) position[label] = i++;
  const names = [...dateNumber.keys()];
  const outlets = new Map<string, Map<string, number[]>>();
  const byOutlet = (name: string) => {
    const o = outletNumber.get(name);
    if (o === undefined) return undefined;
    let groups = outlets.get(name);
    if (!groups) {
      groups = new Map();
      for (let label = 0; label < outletOf.length; label++) {
        if (outletOf[label] !== o) continue;
        const list = groups.get(names[dateOf[label]!]!);
        if (list) list.push(label);
        else groups.set(names[dateOf[label]!]!, [label]);
      }
      outlets.set(name, groups);
    }
    return groups;
  };
  return { total: chunks.length, position, dates, byDate, byOutlet };
}

function numberOf(numbers: Map<string, number>, key: string): number {
  let n = numbers.get(key);
  if (n === undefined) numbers.set(key, (n = numbers.size));
  return n;
}

interface Segment {
  date: string;
  labels: number[];
}

/**
 * What a question made only of an outlet, a date or "latest" lists: newest first within the
 * filters (each dropped when it matches nothing), the nearest dates first when a filter was
 * dropped for a date question, and "latest" lifting the newest. Scores are those the whole sorted
 * corpus would give; the list is produced lazily, so a caller that stops at k pays for k.
 */
export function listing(order: ListingOrder, parsed: ParsedQuery, recencyWeight: number): { ranked: Iterable<Ranked>; unmatched?: UnmatchedFilters } {
  let groups = parsed.outlet ? order.byOutlet(parsed.outlet) : undefined;
  let relaxed = !!parsed.outlet && !groups;
  let segments = segmentsOf(order.dates, groups ?? order.byDate);
  if (parsed.date) {
    const dated = segments.filter((s) => matchesDate(s.date || null, parsed.date!));
    if (dated.length > 0) segments = dated;
    else relaxed = true;
  }
  const unmatched: UnmatchedFilters | undefined = relaxed
    ? { ...(parsed.outlet && { outlet: parsed.outlet }), ...(parsed.date && { date: parsed.date }) }
    : undefined;
  let base = (label: number, _index: number) => 1 - order.position[label]! / order.total;
  if (parsed.date && relaxed) {
    segments = nearestFirst(segments, patternMiddleDay(parsed.date, latestYear(order.dates)));
    const length = segments.reduce((sum, s) => sum + s.labels.length, 0);
    base = (_label, index) => 1 - index / length;
  }
  const boost = parsed.recent ? recencyBoost(segments, recencyWeight, base) : () => 0;
  return { ranked: { [Symbol.iterator]: () => merged(segments, base, boost) }, ...(unmatched && { unmatched }) };
}

function segmentsOf(dates: string[], groups: Map<string, number[]>): Segment[] {
  return dates.filter((date) => groups.has(date)).map((date) => ({ date, labels: groups.get(date)! }));
}

function latestYear(dates: string[]): number {
  const years = dates.map((d) => d.slice(0, 4)).filter(Boolean);
  return years.length > 0 ? Number(years.reduce((a, b) => (a > b ? a : b))) : 2000;
}

/** Segments by the distance of their date from `target`, undated last; stable. */
function nearestFirst(segments: Segment[], target: number): Segment[] {
  const distance = (s: Segment) => {
    const day = dayNumber(s.date || null);
    return day === null ? Number.POSITIVE_INFINITY : Math.abs(day - target);
  };
  return segments
    .map((s, i) => ({ s, i, d: distance(s) }))
    .sort((a, b) => (a.d === b.d ? a.i - b.i : a.d - b.d || a.i - b.i))
    .map(({ s }) => s);
}

/** `boostRecent`'s lift for a segment's date: `weight * top * freshness`, none when undated. */
function recencyBoost(segments: Segment[], weight: number, base: (label: number, index: number) => number): (date: string) => number {
  const days = segments.map((s) => dayNumber(s.date || null)).filter((d): d is number => d !== null);
  if (days.length === 0) return () => 0;
  const first = Math.min(...days);
  const span = Math.max(...days) - first || 1;
  const top = segments[0] ? base(segments[0].labels[0]!, 0) : 1;
  return (date) => {
    const day = dayNumber(date || null);
    return day === null ? 0 : weight * top * ((day - first) / span);
  };
}

/**
 * The segments' labels by score, highest first, ties by label, as `sortByScore` would order the
 * whole list: each segment is already in order, so this merges them one pick at a time.
 */
function* merged(segments: Segment[], base: (label: number, index: number) => number, boost: (date: string) => number): Generator<Ranked> {
  const offsets: number[] = [];
  segments.reduce((offset, s) => (offsets.push(offset), offset + s.labels.length), 0);
  const lifts = segments.map((s) => boost(s.date));
  const lifted = lifts.some((l) => l !== 0);
  const next = segments.map(() => 0);
  const scoreAt = (j: number) => base(segments[j]!.labels[next[j]!]!, offsets[j]! + next[j]!) + lifts[j]!;
  for (;;) {
    let best = -1;
    let bestScore = 0;
    for (let j = 0; j < segments.length; j++) {
      if (next[j]! >= segments[j]!.labels.length) continue;
      const score = scoreAt(j);
      if (best < 0 || score > bestScore || (score === bestScore && segments[j]!.labels[next[j]!]! < segments[best]!.labels[next[best]!]!)) {
        best = j;
        bestScore = score;
      }
      // Without a lift the segments are already in order: the first one not yet used is next.
      if (!lifted) break;
    }
    if (best < 0) return;
    yield { label: segments[best]!.labels[next[best]!]!, score: bestScore };
    next[best]!++;
  }
}
