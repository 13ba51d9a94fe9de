/** /timeline and coverage answers as Discord payloads, within Discord's limits. Pure. */
import type { APIEmbed, APIEmbedField } from 'discord.js';
import { coverageLines, outletLine } from '../index/coverage.js';
import { followsLine, quotesTitle } from '../present.js';
import type { Coverage, Timeline } from '../index/types.js';
import { customId } from './custom-id.js';
import { COLOR, pagerRow, quoteMarkdown, sourceMarkdown, type MessagePayload } from './render.js';
import { escapeText, joinWithin, LIMITS, truncateAtSentence, truncateWords } from './text.js';

export const TIMELINE_PER_PAGE = 6;
/** Room for each quote, so six quotes with their source lines fit one embed. */
const QUOTE_CHARS = 350;
/** Coverage fields stay small, so an answer's embed keeps within Discord's 6,000 characters. */
const COVERAGE_CHARS = 800;

export interface TimelineView {
  timeline: Timeline;
  page: number;
  /** The session behind the Prev/Next buttons. */
  sessionId: string;
  from?: string | undefined;
  to?: string | undefined;
}

/** One page of a timeline: a heading per day, then each passage quoted with its source line. */
export function renderTimeline(view: TimelineView): MessagePayload {
  const passages = view.timeline.days.flatMap((day) => day.passages);
  const pages = Math.max(1, Math.ceil(passages.length / TIMELINE_PER_PAGE));
  const page = Math.min(Math.max(0, view.page), pages - 1);
  const first = page * TIMELINE_PER_PAGE;
  const blocks: string[] = [];
  let day: string | null | undefined;
  passages.slice(first, first + TIMELINE_PER_PAGE).forEach((passage, i) => {
    if (passage.source.date !== day) {
      day = passage.source.date;
      blocks.push(`__**${day ?? 'Undated'}**__`);
    }
    const why = passage.follows ? `\n-# ${escapeText(followsLine(passage, ''))}` : '';
    blocks.push(`${quoteMarkdown(passage, QUOTE_CHARS)}\n${sourceMarkdown(passage.source, first + i + 1, !quotesTitle(passage))}${why}`);
  });
  const range = view.from && view.to ? ` · ${view.from} to ${view.to}` : view.from ? ` · from ${view.from}` : view.to ? ` · until ${view.to}` : '';
  const total = view.timeline.total;
  const embed: APIEmbed = {
    color: COLOR,
    title: truncateWords(`Timeline · “${view.timeline.topic}”${range}`, LIMITS.embedTitle),
    description: blocks.length > 0 ? truncateAtSentence(blocks.join('\n\n'), LIMITS.embedDescription) : 'No passage in the corpus holds these words.',
    footer: {
      text:
        total === 0
          ? 'Try other words, or /about for the dates and outlets the corpus covers.'
          : `${total} passage${total === 1 ? '' : 's'}, oldest first · page ${page + 1} of ${pages} · quoted verbatim from the corpus`,
    },
  };
  const components =
    pages > 1 ? pagerRow(customId('timeline', 'page', view.sessionId, page - 1), customId('timeline', 'page', view.sessionId, page + 1), page, pages) : [];
  return { embeds: [embed], components };
}

/** The coverage of an answer as embed fields: the count, then the outlets with counts and dates. */
export function coverageFields(coverage: Coverage): APIEmbedField[] {
  const [head] = coverageLines(coverage);
  const outlets = coverage.outlets.map((row) => `- ${escapeText(outletLine(row))}`);
  return [
    { name: 'Coverage', value: truncateWords(escapeText(head!), COVERAGE_CHARS) },
    ...(outlets.length > 0 ? [{ name: 'Outlets', value: joinWithin(outlets, '\n', COVERAGE_CHARS) }] : []),
  ];
}

/** An answer payload with its coverage fields added to the first embed. */
export function withCoverage(payload: MessagePayload, coverage: Coverage | undefined): MessagePayload {
  const [embed, ...rest] = payload.embeds;
  if (!coverage || !embed) return payload;
  return { ...payload, embeds: [{ ...embed, fields: [...(embed.fields ?? []), ...coverageFields(coverage)] }, ...rest] };
}

