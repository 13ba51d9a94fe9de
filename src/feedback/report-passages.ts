/**
 * Fills the report's passages from the loaded index: a refused question gets the passages nearest
 * to it now (what the corpus has closest, so what is missing shows), an answer voted 👎 the
 * passages it showed, quoted again by chunk id.
 */
import { isNewsdeskError } from '../errors.js';
import type { Engine } from '../index/types.js';
import { REPORT_PASSAGES, type FeedbackSummary, type ReportGroup } from './report.js';

const REJECTED = ['QUESTION_EMPTY', 'QUESTION_NO_WORDS', 'QUESTION_TOO_LONG'] as const;

export type PassageSource = Pick<Engine, 'nearest' | 'passage'>;

async function nearestTo(group: ReportGroup, index: PassageSource): Promise<ReportGroup> {
  try {
    const found = await index.nearest(group.question, REPORT_PASSAGES);
    return { ...group, passages: found.map((passage) => ({ chunkId: passage.chunkId, score: passage.score, passage })) };
  } catch (error) {
    // A stored question the engine rejects ("???", too long) has no nearest passages to show.
    if (REJECTED.some((code) => isNewsdeskError(error, code))) return { ...group, passages: [] };
    throw error;
  }
}

function quoteShown(group: ReportGroup, index: PassageSource): ReportGroup {
  return {
    ...group,
    passages: group.passages.map(({ chunkId, score }) => {
      const passage = index.passage(chunkId, group.question, score);
      return passage ? { chunkId, score, passage } : { chunkId, score, missing: true as const };
    }),
  };
}

export async function withPassages(summary: FeedbackSummary, index: PassageSource): Promise<FeedbackSummary> {
  const refused: ReportGroup[] = [];
  // One question at a time: each embeds a query, and the report is not in a hurry.
  for (const group of summary.refused) refused.push(await nearestTo(group, index));
  return { ...summary, refused, downvoted: summary.downvoted.map((g) => quoteShown(g, index)) };
}
