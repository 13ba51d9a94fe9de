/**
 * Follow-ups in Discord: the real bot (discord.js) against the fake Discord, with a real engine.
 * The history comes from Discord itself: the thread, the DM, or the answer a message replies to.
 */
import { SnowflakeUtil, type ThreadChannel } from 'discord.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { startBot } from '../../src/bot/bot.js';
import { conversationHistory, DM_WINDOW_MS } from '../../src/bot/history.js';
import type { Json } from '../support/fake-discord.js';
import { openWorkspace, parsedLogs, sentMessages, startHarness, type Harness, type Workspace } from './harness.js';

const FIRST = 'Did Russian missile specialists go to Iran?';
const FOLLOW_UP = 'When did they fly there?';
const ANSWER_TITLE = 'Exclusive: Russian missile experts flew to Iran amid clashes with Israel';

let ws: Workspace;
let h: Harness;
beforeAll(async () => {
  ws = await openWorkspace();
});
afterAll(async () => {
  await ws?.cleanup();
});
beforeEach(async () => {
  h = await startHarness(ws);
});
afterEach(async () => {
  await h.close();
});

/** The first quoted passage of an answer embed, without the quote marker and the bold. */
const firstQuote = (body: Json): string => String(body.embeds?.[0]?.description ?? '').split('\n')[0]!.replace(/^> /, '').replace(/\*\*/g, '');

/** The log line of the message with this trigger, once written (it follows the reply). */
const messageLog = (trigger: string, nth = 0) =>
  vi.waitFor(() => {
    const line = parsedLogs(h).filter((l) => l.event === 'message' && l.trigger === trigger)[nth];
    if (!line) throw new Error(`no ${trigger} log line yet`);
    return line;
  });

/** The body the engine's answer with this history would give, for comparison. */
async function expectedFirstQuote(question: string, history: string[]): Promise<string> {
  const answer = await ws.engine.ask(question, { k: 3, history });
  expect(answer.answered).toBe(true);
  return answer.passages[0]!.text;
}

describe('follow-ups in a thread the bot started', () => {
  it('reads the thread\'s question (from the answer that started it) and its earlier questions as history', async () => {
    const mention = h.fake.message(FIRST, { mentionsBot: true });
    const answer = await h.fake.waitForReplyTo(mention.id);
    const started = await h.fake.waitForCall({ method: 'POST', route: `/channels/${h.fake.channelId}/messages/${answer.response.id}/threads` });
    const threadId = started.response.id as string;
    const followUp = h.fake.message(FOLLOW_UP, { threadId });
    const reply = await h.fake.waitForReplyTo(followUp.id);
    expect(reply.body.embeds[0].title).toBe(FOLLOW_UP);
    expect(firstQuote(reply.body)).toBe(ANSWER_TITLE);
    expect(await messageLog('thread')).toMatchObject({ history: 1, answered: true });

    const third = h.fake.message('Did Reuters report it?', { threadId });
    const thirdReply = await h.fake.waitForReplyTo(third.id);
    expect(await messageLog('thread', 1)).toMatchObject({ history: 2 });
    expect(firstQuote(thirdReply.body)).toBe(await expectedFirstQuote('Did Reuters report it?', [FIRST, FOLLOW_UP]));

    // Renamed, the thread still knows its question: it comes from the answer that started it.
    const thread = h.bot.client.channels.cache.get(threadId) as ThreadChannel;
    thread.name = 'renamed';
    const message = await thread.messages.fetch(third.id);
    const facts = { botId: h.bot.client.user.id, botRoleIds: [], isDM: false, inBotThread: true };
    expect(await conversationHistory(message, facts)).toEqual([FIRST, FOLLOW_UP]);
  });

  it('still knows the thread\'s question after a restart: nothing is kept in memory', async () => {
    const mention = h.fake.message(FIRST, { mentionsBot: true });
    const answer = await h.fake.waitForReplyTo(mention.id);
    const started = await h.fake.waitForCall({ method: 'POST', route: `/channels/${h.fake.channelId}/messages/${answer.response.id}/threads` });
    await h.bot.stop();
    const restarted = await startBot({ config: h.config, engine: ws.engine, log: () => {}, watchIndex: false });
    try {
      const followUp = h.fake.message(FOLLOW_UP, { threadId: started.response.id as string });
      expect(firstQuote((await h.fake.waitForReplyTo(followUp.id)).body)).toBe(ANSWER_TITLE);
    } finally {
      await restarted.stop();
    }
  });

  it('gives no reply at all to thanks, assent or an emoji, and still answers the next question', async () => {
    const threadId = h.fake.createThread({ name: FIRST }).id as string;
    const chatter = ['thanks!', '👍', 'ok', 'Got it, that helps.'].map((text) => h.fake.message(text, { threadId }));
    const question = h.fake.message(FOLLOW_UP, { threadId });
    const reply = await h.fake.waitForReplyTo(question.id);
    // The thread's name is its question; the chatter is no part of the history.
    expect(await messageLog('thread')).toMatchObject({ history: 1 });
    expect(firstQuote(reply.body)).toBe(ANSWER_TITLE);
    const repliedTo = sentMessages(h.fake).map(({ body }) => body.message_reference?.message_id);
    expect(repliedTo).toEqual([question.id]);
    for (const c of chatter) expect(repliedTo).not.toContain(c.id);
  });
});

describe('a reply to one of the bot\'s answers', () => {
  it('continues that answer\'s question, without a mention, in any channel', async () => {
    const mention = h.fake.message(FIRST, { mentionsBot: true });
    const answer = await h.fake.waitForReplyTo(mention.id);
    const followUp = h.fake.message(FOLLOW_UP, { referencedMessage: answer.response.id as string });
    const reply = await h.fake.waitForReplyTo(followUp.id);
    expect(firstQuote(reply.body)).toBe(ANSWER_TITLE);
    expect(await messageLog('reply')).toMatchObject({ history: 1, answered: true });
  });

  it('continues the question of an /ask answer, read from its title', async () => {
    const i = h.fake.slashCommand('ask', { question: FIRST });
    const edit = await i.waitForEdit();
    expect(edit.body.embeds[0].title).toBe(FIRST);
    const followUp = h.fake.message(FOLLOW_UP, { referencedMessage: i.original()!.id });
    const reply = await h.fake.waitForReplyTo(followUp.id);
    expect(firstQuote(reply.body)).toBe(ANSWER_TITLE);
  });

  it('gets no reply when it only says thanks', async () => {
    const mention = h.fake.message(FIRST, { mentionsBot: true });
    const answer = await h.fake.waitForReplyTo(mention.id);
    h.fake.message('thank you so much', { referencedMessage: answer.response.id as string });
    const next = h.fake.message(FIRST, { mentionsBot: true });
    await h.fake.waitForReplyTo(next.id);
    expect(sentMessages(h.fake).map(({ body }) => body.message_reference?.message_id)).toEqual([mention.id, next.id]);
  });
});

describe('direct messages', () => {
  it('read the questions of the last ten minutes as history, and not older ones', async () => {
    const old = SnowflakeUtil.generate({ timestamp: Date.now() - DM_WINDOW_MS - 60_000 }).toString();
    h.fake.message('Who blocked the Lachin corridor?', { dm: true, extra: { id: old } });
    const first = h.fake.message(FIRST, { dm: true });
    await h.fake.waitForReplyTo(first.id);
    const followUp = h.fake.message(FOLLOW_UP, { dm: true });
    const reply = await h.fake.waitForReplyTo(followUp.id);
    expect(firstQuote(reply.body)).toBe(ANSWER_TITLE);
    await messageLog('dm', 2);
    expect(parsedLogs(h).filter((l) => l.trigger === 'dm').map((l) => l.history)).toEqual([undefined, undefined, 1]);
  });
});
