import type { Answer } from '../index/types.js';
import type { BotContext } from './context.js';
import { customId } from './custom-id.js';
import { renderAnswer, renderPassages, type MessagePayload } from './render.js';
import { withCoverage } from './render-timeline.js';

/** The answer as a message; its further passages go into a session behind the More button. */
export function answerPayload(answer: Answer, ctx: BotContext): MessagePayload {
  if (!answer.answered || answer.more.length === 0) return withCoverage(renderAnswer(answer, null), answer.coverage);
  const session = ctx.sessions.ask.put({ question: answer.question, more: answer.more, shown: answer.passages.length });
  return withCoverage(renderAnswer(answer, customId('ask', 'more', session, 0)), answer.coverage);
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
