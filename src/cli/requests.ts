import { NewsdeskError } from '../errors.js';

/** One question to answer from `ask --json` stdin, with the earlier questions of its conversation. */
export interface AskRequest {
  question: string;
  history: string[];
}

/**
 * A stdin line: plain text is the question; a line that starts with `{` is
 * `{"question": string, "history"?: string[]}`, or BAD_JSON_LINE saying what is wrong with it.
 */
export function parseRequestLine(line: string): AskRequest {
  const text = line.trim();
  if (!text.startsWith('{')) return { question: text, history: [] };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new NewsdeskError('BAD_JSON_LINE', `Not valid JSON: ${(error as Error).message}`);
  }
  const request = value as { question?: unknown; history?: unknown };
  if (typeof request.question !== 'string') throw new NewsdeskError('BAD_JSON_LINE', '"question" must be a string.');
  const history = request.history ?? [];
  if (!Array.isArray(history) || !history.every((h) => typeof h === 'string')) {
    throw new NewsdeskError('BAD_JSON_LINE', '"history" must be a list of strings, oldest first.');
  }
  return { question: request.question, history };
}
