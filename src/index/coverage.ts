/**
 * Questions about the coverage itself ("which outlets covered…", "how many headlines mention…",
 * "who reported on…, and when?"), answered from the documents' metadata. Pure.
 *
 * Detection is deliberately narrow: only these fixed openings count, so an ordinary question
 * ("How many people voted?", "Who is the president?") is never turned into a count.
 */
import type { Answer, Coverage, CoverageKind, DocKind, OutletCoverage, Passage } from './types.js';

export interface CoverageQuestion {
  kind: CoverageKind;
  /** What the coverage is about, as the question words it. */
  topic: string;
  only?: DocKind;
}

const WHO_OUTLETS = String.raw`(?:news\s+)?(?:outlets?|sources?|media|publications?|newspapers?|papers|sites|websites|agencies)`;
const COVERED = String.raw`(?:have\s+|has\s+|had\s+)?(?:covered(?!\s+up\b)|reported\s+(?:on|about)|wrote\s+about|written\s+about|published\s+(?:\w+\s+)?(?:on|about)|ran\s+(?:\w+\s+)?(?:on|about))`;
const COUNTED = String.raw`(headlines?|articles?|stories|reports|documents|outlets|sources)`;
const MENTION = String.raw`(?:(?:do|did|have)\s+)?(?:mention(?:ed)?|cover(?:ed)?(?!\s+up\b)|(?:are|were)\s+about|talk(?:ed)?\s+about|discuss(?:ed)?|refer(?:red)?\s+to|reported\s+(?:on|about)|name(?:d)?)`;
const TOPIC = String.raw`(.+?)`;
const WHEN = String.raw`(,?\s+and\s+when)?`;
const END = String.raw`\s*[?.!]*\s*$`;

const FORMS: Array<{ re: RegExp; read: (m: RegExpExecArray) => CoverageQuestion }> = [
  {
    re: new RegExp(String.raw`^(?:which|what)\s+${WHO_OUTLETS}\s+${COVERED}\s+${TOPIC}${WHEN}${END}`, 'i'),
    read: (m) => ({ kind: m[2] ? 'who-when' : 'outlets', topic: m[1]! }),
  },
  {
    re: new RegExp(String.raw`^how\s+many\s+${COUNTED}\s+${MENTION}\s+${TOPIC}${END}`, 'i'),
    read: (m) => ({ kind: 'count', topic: m[2]!, ...kindOf(m[1]!) }),
  },
  {
    re: new RegExp(String.raw`^who\s+(?:has\s+|have\s+)?${COVERED}\s+${TOPIC}${WHEN}${END}`, 'i'),
    read: (m) => ({ kind: m[2] ? 'who-when' : 'outlets', topic: m[1]! }),
  },
];

function kindOf(noun: string): { only?: DocKind } {
  if (/^headline/i.test(noun)) return { only: 'headline' };
  if (/^article/i.test(noun)) return { only: 'article' };
  return {};
}

/** The coverage question `question` asks, or null for any other question. */
export function detectCoverageQuestion(question: string): CoverageQuestion | null {
  const text = question.trim().replace(/\s+/g, ' ');
  for (const form of FORMS) {
    const match = form.re.exec(text);
    if (!match) continue;
    const found = form.read(match);
    const topic = found.topic.replace(/^(?:the|a|an)\s+/i, '').trim();
    // "that…" reports a claim ("who reported that the minister…"): an ordinary question, not a tally.
    if (!topic || /^(?:that|whether|if|it|this)\b/i.test(topic)) return null;
    return { ...found, topic };
  }
  return null;
}

/** One passage per document, the most relevant, in date order (undated last). */
export function byDocument(passages: Passage[]): Passage[] {
  const first = new Map<string, Passage>();
  for (const passage of passages) if (!first.has(passage.source.id)) first.set(passage.source.id, passage);
  const date = (p: Passage) => p.source.date ?? '\uffff';
  return [...first.values()].sort((a, b) => date(a).localeCompare(date(b)));
}

/** The matching documents counted by outlet: most first, then by name; no outlet last. */
export function countByOutlet(passages: Passage[]): OutletCoverage[] {
  const rows = new Map<string | null, { count: number; dates: Set<string> }>();
  for (const passage of byDocument(passages)) {
    const row = rows.get(passage.source.outlet) ?? { count: 0, dates: new Set<string>() };
    row.count += 1;
    if (passage.source.date) row.dates.add(passage.source.date);
    rows.set(passage.source.outlet, row);
  }
  return [...rows]
    .map(([outlet, row]) => ({ outlet, count: row.count, dates: [...row.dates].sort() }))
    .sort((a, b) => (a.outlet === null ? 1 : b.outlet === null ? -1 : b.count - a.count || a.outlet.localeCompare(b.outlet)));
}

export function summarizeCoverage(asked: CoverageQuestion, passages: Passage[]): Coverage {
  return {
    kind: asked.kind,
    topic: asked.topic,
    ...(asked.only && { only: asked.only }),
    documents: byDocument(passages).length,
    outlets: countByOutlet(passages),
  };
}

/**
 * The answer to a coverage question: the counts, the first `k` matching documents in date order
 * as passages, and the rest under More. Not answered when nothing matches.
 */
export function coverageAnswer(question: string, asked: CoverageQuestion, passages: Passage[], k: number): Answer {
  const documents = byDocument(passages);
  const coverage = summarizeCoverage(asked, passages);
  if (documents.length === 0) return { question, answered: false, passages: [], more: [], coverage };
  return { question, answered: true, passages: documents.slice(0, k), more: documents.slice(k), coverage };
}

const NOUN: Record<DocKind | 'any', [string, string]> = {
  headline: ['headline', 'headlines'],
  article: ['article', 'articles'],
  any: ['document', 'documents'],
};

/** `7 headlines match “tariffs”, from 3 outlets.`, then one line per outlet with its count and dates. */
export function coverageLines(coverage: Coverage): string[] {
  const [one, many] = NOUN[coverage.only ?? 'any'];
  const noun = coverage.documents === 1 ? one : many;
  const outlets = coverage.outlets.filter((o) => o.outlet !== null).length;
  const head =
    `${coverage.documents} ${noun} ${coverage.documents === 1 ? 'matches' : 'match'} “${coverage.topic}”` +
    (coverage.documents > 0 ? `, from ${outlets} outlet${outlets === 1 ? '' : 's'}.` : '.');
  return [head, ...coverage.outlets.map(outletLine)];
}

export function outletLine(row: OutletCoverage): string {
  const dates = row.dates.length > 0 ? `: ${row.dates.join(', ')}` : '';
  return `${row.outlet ?? 'no outlet named'} (${row.count})${dates}`;
}
