import { ButtonStyle, ComponentType } from 'discord.js';
import { appendFeedback, feedbackPath, feedbackSubject, type Vote } from '../feedback/store.js';
import type { Answer } from '../index/types.js';
import type { BotContext } from './context.js';
import { customId } from './custom-id.js';
import { renderAnswer, renderPassages, type MessagePayload } from './render.js';
import { withCoverage } from './render-timeline.js';
import { LIMITS } from './text.js';

/** The answer as a message; its further passages go into a session behind the More button. */
export function answerPayload(answer: Answer, ctx: BotContext): MessagePayload {
  const voteSession = ctx.sessions.feedback.put({ subject: feedbackSubject(answer), voters: new Set() });
  if (!answer.answered || answer.more.length === 0) {
    return withVotes(withCoverage(renderAnswer(answer, null), answer.coverage), voteSession);
  }
  const session = ctx.sessions.ask.put({ question: answer.question, more: answer.more, shown: answer.passages.length });
  return withVotes(withCoverage(renderAnswer(answer, customId('ask', 'more', session, 0)), answer.coverage), voteSession);
}

/** 👍 / 👎 in a row of their own after the answer's buttons (refusals get them too: that is what the report is for). */
export function withVotes(payload: MessagePayload, session: string): MessagePayload {
  if (payload.components.length >= LIMITS.rows) return payload;
  const button = (vote: Vote, label: string) =>
    ({ type: ComponentType.Button, style: ButtonStyle.Secondary, label, custom_id: customId('ask', 'vote', session, vote) }) as const;
  return {
    ...payload,
    components: [...payload.components, { type: ComponentType.ActionRow, components: [button('up', '👍'), button('down', '👎')] }],
  };
}

export const VOTE_NOTED = 'Thanks — noted.';
export const VOTE_ALREADY = 'You already voted on this answer; your first vote stands.';

/**
 * Records `userId`'s vote on the answer behind `session`: the first vote per user and answer is
 * written, later ones are ignored. Returns the acknowledgement, or null when the session is gone.
 */
export async function recordVote(session: string, vote: Vote, userId: string, ctx: BotContext): Promise<string | null> {
  const entry = ctx.sessions.feedback.get(session);
  if (!entry) return null;
  if (entry.voters.has(userId)) return VOTE_ALREADY;
  entry.voters.add(userId);
  const record = { ts: new Date(ctx.now()).toISOString(), answerId: session, vote, ...entry.subject };
  try {
    await appendFeedback(feedbackPath(ctx.config.dataDir), record);
  } catch (error) {
    entry.voters.delete(userId); // not written, so the user may try again
    throw error;
  }
  return VOTE_NOTED;
}

/** The page of further passages starting at `offset` of the session's `more`, or null if none. */
export function morePayload(sessionId: string, offset: number, ctx: BotContext): MessagePayload | null {
  const session = ctx.sessions.ask.get(sessionId);
  if (!session) return null;
  const k = ctx.config.answerK;
  const passages = session.more.slice(offset, offset + k);
  if (passages.length === 0) return null;
  const next = offset + k < session.more.length ? customId('ask', 'more', sessionId, offset + k) : null;
  return renderPassages({
    question: session.question,
    passages,
    firstNumber: session.shown + offset + 1,
    total: session.shown + session.more.length,
    moreId: next,
  });
}
