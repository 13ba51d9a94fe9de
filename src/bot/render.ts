/**
 * Engine results → Discord message payloads (plain API JSON), within Discord's limits. Pure: no
 * client, no I/O; every text cut happens at a sentence (or, failing that, word) boundary and is
 * marked with "…".
 */
import {
  ButtonStyle,
  ComponentType,
  type APIActionRowComponent,
  type APIButtonComponentWithCustomId,
  type APIEmbed,
  type APIEmbedField,
} from 'discord.js';
import { sentences } from '../index/chunk.js';
import { stripInvisible } from '../index/clean-text.js';
import { countSkipped, formatProblem } from '../index/corpus.js';
import type { Answer, CorpusInfo, Document, Passage, ProgressEvent, ReindexSummary, Source } from '../index/types.js';
import { highlight, NOT_COVERED, quotesTitle, sourceLine, unmatchedNotice } from '../present.js';
import type { Reach } from './reach.js';
import { customId } from './custom-id.js';
import {
  cleanLine,
  cutAtSentence,
  discordTime,
  fitEmbed,
  ELLIPSIS,
  escapeText,
  hostOf,
  joinWithin,
  LIMITS,
  safeUrl,
  truncateAtSentence,
  truncateWords,
} from './text.js';

export type ButtonRow = APIActionRowComponent<APIButtonComponentWithCustomId>;

/** What the bot sends: always content and/or embeds, and the components (possibly none). */
export interface MessagePayload {
  content?: string;
  embeds: APIEmbed[];
  components: ButtonRow[];
}

export const COLOR = 0x2b6cb0;
const SEPARATOR = '\n\n';
const MAX_TITLE_IN_SOURCE = 150;
const MAX_OUTLET_IN_SOURCE = 60;
const MAX_OUTLET_IN_FOOTER = 100;
/** Longer URLs are left out of source lines rather than eat the room for quotes. */
const MAX_URL_IN_SOURCE = 300;

function linkable(url: string | null): string | null {
  const safe = safeUrl(url);
  return safe && safe.length <= MAX_URL_IN_SOURCE ? safe : null;
}

// ---------------------------------------------------------------------------------------------
// Answers

/**
 * `**1.** Title · Outlet · 2025-03-07 · [example.com](https://…) · `id``, markdown-escaped; without
 * the title when `withTitle` is false (a headline quoted whole is its own title).
 */
export function sourceMarkdown(source: Source, n: number, withTitle = true): string {
  const line = sourceLine({
    ...source,
    title: withTitle ? truncateWords(cleanLine(source.title), MAX_TITLE_IN_SOURCE) : '',
    outlet: source.outlet && truncateWords(cleanLine(source.outlet), MAX_OUTLET_IN_SOURCE),
  }) || 'headline';
  const url = linkable(source.url);
  const link = url ? ` · [${escapeText(hostOf(url))}](${url})` : '';
  return `**${n}.** ${escapeText(line)}${link} · \`${source.id.replace(/`/g, '')}\``;
}

const OPEN = '\u0001';
const CLOSE = '\u0002';

/** The passage as a block quote, query terms in bold, corpus markdown escaped, within `max` characters. */
export function quoteMarkdown(passage: Pick<Passage, 'text' | 'highlights'>, max: number): string {
  // Line breaks become spaces (same length, so the highlight offsets stay valid): one quote, one line.
  const text = passage.text.replace(/[\r\n]/g, ' ');
  let limit = Math.min(text.length, max);
  for (;;) {
    const { end, mark } = cutAtSentence(text, limit);
    const kept = {
      text: text.slice(0, end),
      highlights: passage.highlights
        .filter(([s]) => s < end)
        .map(([s, e]): [number, number] => [s, Math.min(e, end)]),
    };
    // Invisible characters go after the highlight offsets are used (and the markers replaced).
    const bolded = stripInvisible(escapeText(highlight(kept, OPEN, CLOSE)).replaceAll(OPEN, '**').replaceAll(CLOSE, '**'));
    const out = `> ${bolded}${mark}`;
    if (out.length <= max || limit <= 0) return out.length <= max ? out : `> ${ELLIPSIS}`.slice(0, max);
    limit = Math.max(0, limit - Math.max(1, out.length - max));
  }
}

/**
 * Shares `budget` characters among items wanting `wants` characters: those that fit get what they
 * want, the rest split what is left evenly (water-filling).
 */
export function shareBudget(wants: number[], budget: number): number[] {
  const order = wants.map((w, i) => [w, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(wants.length).fill(0);
  let left = budget;
  order.forEach(([want, i], rank) => {
    const share = Math.floor(left / (order.length - rank));
    out[i] = Math.max(0, Math.min(want, share));
    left -= out[i]!;
  });
  return out;
}

/** The numbered quotes and their source lines, fitted into one embed description. */
export function passagesDescription(passages: Passage[], firstNumber: number, max = LIMITS.embedDescription): string {
  const sources = passages.map((p, i) => sourceMarkdown(p.source, firstNumber + i, !quotesTitle(p)));
  const fixed = sources.reduce((sum, s) => sum + s.length + 1, 0) + SEPARATOR.length * (passages.length - 1);
  const wants = passages.map((p) => quoteMarkdown(p, Number.MAX_SAFE_INTEGER).length);
  const budgets = shareBudget(wants, max - fixed);
  return passages.map((p, i) => `${quoteMarkdown(p, budgets[i]!)}\n${sources[i]}`).join(SEPARATOR);
}

function sourceButtons(passages: Passage[], firstNumber: number): APIButtonComponentWithCustomId[] {
  const seen = new Set<string>();
  return passages.map((p, i) => {
    let id = customId('source', 'show', p.source.id, p.start, p.end);
    if (seen.has(id)) id = customId('source', 'show', p.source.id, p.start, p.end, i);
    seen.add(id);
    return { type: ComponentType.Button, style: ButtonStyle.Secondary, label: `Source ${firstNumber + i}`, custom_id: id };
  });
}

/** Buttons in rows of five, at most five rows. */
export function buttonRows(buttons: APIButtonComponentWithCustomId[]): ButtonRow[] {
  const rows: ButtonRow[] = [];
  for (let i = 0; i < buttons.length && rows.length < LIMITS.rows; i += LIMITS.buttonsPerRow) {
    rows.push({ type: ComponentType.ActionRow, components: buttons.slice(i, i + LIMITS.buttonsPerRow) });
  }
  return rows;
}

export interface PassagePage {
  /** The question, shown as the embed title. */
  question: string;
  passages: Passage[];
  /** 1-based number of the first passage. */
  firstNumber: number;
  /** How many passages exist in all (shown + more). */
  total: number;
  /** The More button's custom id, when there are further passages. */
  moreId: string | null;
  /** A line above the embed, e.g. that a filter matched nothing. */
  notice?: string;
}

/** Quoted passages as one embed with a Source button per passage and a More button. */
export function renderPassages(page: PassagePage): MessagePayload {
  const last = page.firstNumber + page.passages.length - 1;
  const range = page.passages.length === 1 ? `Passage ${page.firstNumber}` : `Passages ${page.firstNumber}–${last}`;
  const embed: APIEmbed = {
    color: COLOR,
    title: truncateWords(cleanLine(page.question), LIMITS.embedTitle),
    description: passagesDescription(page.passages, page.firstNumber),
    footer: { text: `${range} of ${page.total} · quoted verbatim from the corpus` },
  };
  const buttons = sourceButtons(page.passages, page.firstNumber);
  if (page.moreId) buttons.push({ type: ComponentType.Button, style: ButtonStyle.Primary, label: 'More', custom_id: page.moreId });
  const notice = page.notice ? { content: contentWithin(escapeText(cleanLine(page.notice))) } : {};
  return { ...notice, embeds: [fitEmbed(embed)], components: buttonRows(buttons) };
}

/** The answer to a question: quotes and sources, or the plain statement that the corpus does not cover it. */
export function renderAnswer(answer: Answer, moreId: string | null): MessagePayload {
  if (!answer.answered || answer.passages.length === 0) return notCovered();
  return renderPassages({
    question: answer.question,
    passages: answer.passages,
    firstNumber: 1,
    total: answer.passages.length + answer.more.length,
    moreId: answer.more.length > 0 ? moreId : null,
    ...(answer.unmatched && { notice: unmatchedNotice(answer.unmatched) }),
  });
}

export function notCovered(): MessagePayload {
  return { content: NOT_COVERED, embeds: [], components: [] };
}

// ---------------------------------------------------------------------------------------------
// Documents

export const PAGE_CHARS = 1800;

/**
 * Splits a text into pages of at most `max` characters, between sentences (words for a sentence
 * longer than a page). Returns [start, end) offsets into `text`.
 */
export function paginate(text: string, max = PAGE_CHARS): Array<[number, number]> {
  const units: Array<[number, number]> = [];
  for (const paragraph of text.matchAll(/[^\n]+/g)) {
    const base = paragraph.index;
    for (const s of sentences(paragraph[0])) {
      let start = base + s.start;
      const end = base + s.end;
      while (end - start > max) {
        const space = text.lastIndexOf(' ', start + max);
        const cut = space > start ? space : start + max;
        units.push([start, cut]);
        start = cut;
        while (start < end && /\s/.test(text[start]!)) start++;
      }
      if (end > start) units.push([start, end]);
    }
  }
  const pages: Array<[number, number]> = [];
  for (const [start, end] of units) {
    const page = pages.at(-1);
    if (page && end - page[0] <= max) page[1] = end;
    else pages.push([start, end]);
  }
  return pages.length > 0 ? pages : [[0, text.length]];
}

/** The page holding offset `at` (the first page ending after it). */
export function pageOf(pages: Array<[number, number]>, at: number): number {
  const i = pages.findIndex(([, end]) => end > at);
  return i < 0 ? pages.length - 1 : i;
}

export interface DocumentView {
  page: number;
  /** Who may turn the pages. */
  ownerId: string;
  /** A passage to show in bold, as offsets into the document text. */
  mark?: [number, number] | undefined;
}

function pageMarkdown(text: string, [start, end]: [number, number], mark: [number, number] | undefined): string {
  const esc = (a: number, b: number) => stripInvisible(escapeText(text.slice(a, b))).replace(/\n+/g, '\n\n');
  if (!mark || mark[1] <= start || mark[0] >= end) return esc(start, end);
  const s = Math.max(start, mark[0]);
  const e = Math.min(end, mark[1]);
  return `${esc(start, s)}**${esc(s, e)}**${esc(e, end)}`;
}

/** One page of a whole document, with Prev/Next buttons when it has more than one. */
export function renderDocument(doc: Document, view: DocumentView): MessagePayload {
  const pages = paginate(doc.text);
  const page = Math.min(Math.max(0, view.page), pages.length - 1);
  let description = pageMarkdown(doc.text, pages[page]!, view.mark);
  if (description.length > LIMITS.embedDescription) description = truncateAtSentence(description, LIMITS.embedDescription);
  const outlet = doc.outlet && truncateWords(cleanLine(doc.outlet), MAX_OUTLET_IN_FOOTER);
  const meta = [outlet, doc.date, `id ${doc.id}`].filter(Boolean).join(' · ');
  const url = safeUrl(doc.url);
  const embed: APIEmbed = {
    color: COLOR,
    title: truncateWords(cleanLine(doc.title) || ELLIPSIS, LIMITS.embedTitle),
    ...(url && { url }),
    description: description || ELLIPSIS,
    footer: { text: pages.length > 1 ? `${meta} · page ${page + 1} of ${pages.length}` : meta },
  };
  const mark = view.mark ? [view.mark[0], view.mark[1]] : [];
  const components =
    pages.length > 1
      ? pagerRow(
          customId('source', 'page', doc.id, page - 1, view.ownerId, ...mark),
          customId('source', 'page', doc.id, page + 1, view.ownerId, ...mark),
          page,
          pages.length,
        )
      : [];
  return { embeds: [fitEmbed(embed)], components };
}

/** Prev/Next, disabled at the ends. */
export function pagerRow(prevId: string, nextId: string, page: number, pages: number): ButtonRow[] {
  return [
    {
      type: ComponentType.ActionRow,
      components: [
        { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Prev', custom_id: prevId, disabled: page <= 0 },
        { type: ComponentType.Button, style: ButtonStyle.Secondary, label: 'Next', custom_id: nextId, disabled: page >= pages - 1 },
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Headlines

export const HEADLINES_PER_PAGE = 10;

export interface HeadlineFilterText {
  query?: string | undefined;
  outlet?: string | undefined;
  from?: string | undefined;
  to?: string | undefined;
}

/** `“oil” · Reuters · from 2025-03-01 to 2025-03-11`, or '' with no filter. */
export function describeFilter(filter: HeadlineFilterText): string {
  const dates =
    filter.from && filter.to
      ? `${filter.from} to ${filter.to}`
      : filter.from
        ? `from ${filter.from}`
        : filter.to
          ? `until ${filter.to}`
          : '';
  return [filter.query && `“${cleanLine(filter.query)}”`, filter.outlet && cleanLine(filter.outlet), dates].filter(Boolean).join(' · ');
}

export function headlineLine(doc: Document, n: number): string {
  const outlet = doc.outlet ? truncateWords(cleanLine(doc.outlet), MAX_OUTLET_IN_SOURCE) : 'no outlet';
  const meta = [outlet, doc.date ?? 'undated'].join(' · ');
  return `**${n}.** ${escapeText(truncateWords(cleanLine(doc.title), 300))} — ${escapeText(meta)} · \`${doc.id.replace(/`/g, '')}\``;
}

export interface HeadlinesView {
  docs: Document[];
  page: number;
  filter: HeadlineFilterText;
  /** The session behind the Prev/Next buttons. */
  sessionId: string;
}

/** One page of headlines, numbered, with Prev/Next when there are more pages. */
export function renderHeadlines(view: HeadlinesView): MessagePayload {
  const pages = Math.max(1, Math.ceil(view.docs.length / HEADLINES_PER_PAGE));
  const page = Math.min(Math.max(0, view.page), pages - 1);
  const first = page * HEADLINES_PER_PAGE;
  const shown = view.docs.slice(first, first + HEADLINES_PER_PAGE);
  const filter = describeFilter(view.filter);
  const order = view.filter.query ? 'most relevant first' : 'newest first';
  const lines = shown.map((doc, i) => headlineLine(doc, first + i + 1));
  const embed: APIEmbed = {
    color: COLOR,
    title: truncateWords(filter ? `Headlines · ${filter}` : 'Headlines', LIMITS.embedTitle),
    description: lines.length > 0 ? truncateAtSentence(lines.join('\n'), LIMITS.embedDescription) : 'No headlines match.',
    footer: {
      text:
        view.docs.length === 0
          ? 'Try fewer filters, or /about for the dates and outlets the corpus covers.'
          : `${view.docs.length} headline${view.docs.length === 1 ? '' : 's'}, ${order} · page ${page + 1} of ${pages}`,
    },
  };
  const components =
    pages > 1
      ? pagerRow(customId('headlines', 'page', view.sessionId, page - 1), customId('headlines', 'page', view.sessionId, page + 1), page, pages)
      : [];
  return { embeds: [fitEmbed(embed)], components };
}

// ---------------------------------------------------------------------------------------------
// About

export function renderAbout(info: CorpusInfo, reach?: Reach): MessagePayload {
  const built = Date.parse(info.builtAt);
  const fields: APIEmbedField[] = [
    { name: 'Documents', value: String(info.documents), inline: true },
    { name: 'Articles', value: String(info.articles), inline: true },
    { name: 'Headlines', value: String(info.headlines), inline: true },
    {
      name: 'Dates',
      value: info.firstDate && info.lastDate ? `${info.firstDate} to ${info.lastDate}` : 'undated',
      inline: true,
    },
    {
      name: `Outlets (${info.outlets.length})`,
      value:
        info.outlets.length > 0
          ? joinWithin(info.outlets.map((o) => escapeText(truncateWords(cleanLine(o), MAX_OUTLET_IN_SOURCE))), ', ', LIMITS.fieldValue)
          : 'none named',
    },
    { name: 'Embedder', value: `\`${info.embedder.replace(/`/g, '')}\``, inline: true },
    {
      name: 'Index built',
      value: Number.isNaN(built) ? escapeText(info.builtAt) : `${discordTime(built, 'f')} (${discordTime(built, 'R')})`,
      inline: true,
    },
    ...(reach ? reachFields(reach) : []),
  ];
  return {
    embeds: [
      fitEmbed({
        color: COLOR,
        title: 'About this corpus',
        description: 'Newsdesk answers by quoting these documents, with their sources. It writes nothing of its own.',
        fields,
      }),
    ],
    components: [],
  };
}

/** Servers, summed over the shards; and the shard that answered, numbered from 0 as Discord does. */
function reachFields(reach: Reach): APIEmbedField[] {
  const servers = reach.complete ? String(reach.servers) : `${reach.servers} (this shard only: the others did not answer)`;
  const fields: APIEmbedField[] = [{ name: 'Servers', value: servers, inline: true }];
  if (reach.shard) fields.push({ name: 'Shard', value: `${reach.shard.ids.join(', ')} (of ${reach.shard.count})`, inline: true });
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Re-index

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function progressText(event: ProgressEvent): string {
  switch (event.stage) {
    case 'parse':
      return `Re-indexing: read ${event.files} corpus file${event.files === 1 ? '' : 's'}.`;
    case 'embed':
      return event.total === 0
        ? 'Re-indexing: every passage is in the embedding cache.'
        : `Re-indexing: embedded ${event.done} of ${event.total} passages (${Math.floor((event.done / event.total) * 100)}%).`;
    case 'write':
      return 'Re-indexing: writing the index.';
  }
}

export function summaryText(summary: ReindexSummary): string {
  const lines = [
    `Re-indexed in ${summary.seconds.toFixed(1)} s: ${summary.documents} documents, ${summary.chunks} passages ` +
      `(${summary.embedded} embedded, ${summary.cached} from the cache) with \`${summary.embedderId.replace(/`/g, '')}\`. ` +
      'Answers now come from the new index.',
  ];
  const problems = [...summary.skipped, ...summary.warnings];
  if (problems.length > 0) {
    const { files, lines: skippedLines } = countSkipped(summary.skipped);
    const counts = [files > 0 && plural(files, 'file'), skippedLines > 0 && plural(skippedLines, 'line')].filter(Boolean);
    const warned = summary.warnings.length > 0 ? `${counts.length > 0 ? '; ' : ''}${plural(summary.warnings.length, 'warning')}` : '';
    lines.push(`${counts.length > 0 ? `Skipped ${counts.join(' and ')} that could not be read` : ''}${warned}:`.replace(/^; /, ''));
    lines.push(joinWithin(problems.map((p) => `- ${escapeText(formatProblem(p))}`), '\n', LIMITS.content - lines.join('\n').length - 2));
  }
  return lines.join('\n');
}

/** Content for a plain message, within 2,000 characters. */
export function contentWithin(text: string): string {
  return truncateAtSentence(text, LIMITS.content);
}
