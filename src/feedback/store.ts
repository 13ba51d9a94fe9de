/**
 * Votes on answers, one JSON line each in `<dataDir>/feedback.jsonl`. Anonymous: a line holds the
 * question, its passages and the vote, never who voted. Once-per-user is kept in memory, with the
 * answer's session (see bot/answer.ts), so no user id is ever written.
 */
import { open, mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Answer } from '../index/types.js';

export type Vote = 'up' | 'down';

export interface FeedbackPassage {
  chunkId: string;
  sourceId: string;
  score: number;
}

/** What an answer's vote buttons need to write a line. */
export interface FeedbackSubject {
  question: string;
  answered: boolean;
  passages: FeedbackPassage[];
}

export interface FeedbackRecord extends FeedbackSubject {
  /** ISO time of the vote. */
  ts: string;
  /** The answer's random session id: groups votes on one answer, names no one. */
  answerId: string;
  vote: Vote;
}

export const FEEDBACK_FILE = 'feedback.jsonl';

export function feedbackPath(dataDir: string): string {
  return join(dataDir, FEEDBACK_FILE);
}

/** The passages shown with an answer, as ids and scores (their text stays in the corpus). */
export function feedbackSubject(answer: Answer): FeedbackSubject {
  return {
    question: answer.question,
    answered: answer.answered,
    passages: answer.passages.map((p) => ({ chunkId: p.chunkId, sourceId: p.source.id, score: p.score })),
  };
}

/** One line, fields in a fixed order. */
export function feedbackLine(record: FeedbackRecord): string {
  const { ts, answerId, vote, question, answered, passages } = record;
  return `${JSON.stringify({ ts, answerId, vote, question, answered, passages })}\n`;
}

/** Appends one line with a single O_APPEND write, so concurrent votes never interleave. */
export async function appendFeedback(path: string, record: FeedbackRecord): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const file = await open(path, 'a');
  try {
    await file.write(feedbackLine(record));
  } finally {
    await file.close();
  }
}
