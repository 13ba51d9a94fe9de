import type { Ranked } from './fusion.js';
import type { Retrieval } from './retriever.js';
import type { Snapshot } from './snapshot.js';
import type { Explanation } from './types.js';

/** The label's chunk as one line: its text cut short, and its source. */
function describe(snapshot: Snapshot, r: Ranked): Explanation['rankers'][number]['top'][number] {
  const chunk = snapshot.chunks[r.label]!;
  const doc = snapshot.docById.get(chunk.docId)!;
  return { score: Math.round(r.score * 10000) / 10000, text: chunk.text, source: [doc.outlet, doc.date].filter(Boolean).join(', ') };
}

/** How a question was read, ranked and decided: what `ask --explain` prints. */
export function explainRetrieval(snapshot: Snapshot, question: string, found: Retrieval): Explanation {
  const { parsed, trace } = found;
  const date = parsed.date ? [parsed.date.year, parsed.date.month, parsed.date.day].map((n) => (n === undefined ? '*' : String(n))).join('-') : null;
  return {
    question,
    searchText: trace.searchText,
    terms: trace.terms,
    expansions: found.expansions.map((e) => ({ from: e.from, term: e.term, via: e.via, source: e.source, weight: e.weight })),
    history: [],
    filters: { outlet: parsed.outlet ?? null, date, recent: parsed.recent, applied: !trace.unmatched, ...(trace.inStore && { inStore: true }) },
    rankers: [
      { name: 'dense', top: trace.dense.map((r) => describe(snapshot, r)) },
      { name: 'BM25', top: trace.lexical.map((r) => describe(snapshot, r)) },
      { name: 'fused', top: trace.fused.map((r) => describe(snapshot, r)) },
    ],
    evidence: { ...found.evidence },
    answered: found.answered,
    reason: trace.reason,
  };
}

const clip = (text: string, max: number) => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** The explanation as plain text for a terminal. */
export function formatExplanation(e: Explanation): string {
  const lines = [`question: ${e.question}`];
  if (e.searchText !== e.question) lines.push(`searched: ${e.searchText}`);
  lines.push(`terms: ${e.terms.join(', ') || '(none)'}`);
  lines.push('expansions:', ...(e.expansions.length ? e.expansions.map((x) => `  ${x.from} -> ${x.term}  (${x.source} "${x.via}", weight ${x.weight})`) : ['  (none)']));
  lines.push(`history: ${e.history.length ? e.history.join(' | ') : '(none)'}`);
  const filters = [e.filters.outlet && `outlet ${e.filters.outlet}`, e.filters.date && `date ${e.filters.date}`, e.filters.recent && 'newest first'].filter(Boolean);
  lines.push(`filters: ${filters.length ? `${filters.join(', ')}${e.filters.applied ? '' : ' (matched nothing, ignored)'}${e.filters.inStore ? ' (in the database, before ranking)' : ''}` : '(none)'}`);
  for (const ranker of e.rankers) {
    lines.push(`${ranker.name} top ${ranker.top.length}:`, ...ranker.top.map((t, i) => `  ${i + 1}. ${t.score.toFixed(4)}  ${clip(t.text, 100)}  [${t.source}]`));
  }
  lines.push(`evidence: similarity ${e.evidence.dense.toFixed(2)}, words found ${Math.round(e.evidence.lexical * 100)}%, rankers ${e.evidence.agree ? 'agree' : 'disagree'}`);
  lines.push(e.reason);
  return lines.join('\n');
}
