/**
 * Passages for the operator's feedback report (`npm run report`): a question's best candidates
 * whatever the refusal decision, and a passage stored by chunk id quoted again from the loaded
 * index. Answers never use these: a refused question shows nothing to users.
 */
import { toPassage } from './compose.js';
import type { Retrieval } from './retriever.js';
import type { Snapshot } from './snapshot.js';
import { contentTerms } from './terms.js';
import type { Passage } from './types.js';

/** The retrieval's best hits quoted, answered or not, best first. */
export function nearestPassages(found: Retrieval): Passage[] {
  return found.hits.map((hit) => toPassage(hit, found.queryTerms, found.idf));
}

/**
 * The chunk `chunkId` of this index quoted for `question` (the sentences holding its words, as the
 * answer quoted them), scored `score`; undefined when a re-index has since dropped or renumbered it.
 */
export function storedPassage(snapshot: Snapshot, chunkId: string, question: string, score: number): Passage | undefined {
  const label = snapshot.labelOf.get(chunkId);
  const chunk = label === undefined ? undefined : snapshot.chunks[label];
  const doc = chunk && snapshot.docById.get(chunk.docId);
  if (!chunk || !doc) return undefined;
  return toPassage({ chunk, doc, score }, new Set(contentTerms(question)), (term) => snapshot.lexical.idf(term));
}
