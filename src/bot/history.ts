/**
 * The earlier questions of a message's conversation, for follow-ups: read from Discord itself
 * (the thread, the DM, the answer replied to), so they survive a restart and need no state here.
 */
import type { Message } from 'discord.js';
import { isChatter, stripBotMentions } from './question.js';

/** In DMs, earlier questions count only within this window before the new one. */
export const DM_WINDOW_MS = 10 * 60_000;
/** How many earlier messages are read; the engine uses the last few questions among them. */
const LOOKBACK = 20;

export interface HistoryFacts {
  botId: string;
  botRoleIds: readonly string[];
  isDM: boolean;
  inBotThread: boolean;
}

/**
 * Oldest first. A reply to one of the bot's answers continues that answer's question; in a thread
 * the bot started, the question that started it and the thread's questions since; in a DM, the
 * questions of the last ten minutes. Anything else (a mention in a channel, /ask) starts afresh.
 */
export async function conversationHistory(message: Message, facts: HistoryFacts): Promise<string[]> {
  const replied = message.reference?.messageId ? await message.fetchReference().catch(() => null) : null;
  if (replied?.author.id === facts.botId) {
    const question = await answeredQuestion(replied, facts);
    return question ? [question] : [];
  }
  if (facts.inBotThread) return threadHistory(message, facts);
  if (facts.isDM) return earlierQuestions(message, facts, message.createdTimestamp - DM_WINDOW_MS);
  return [];
}

/** The question a bot's answer answers: the message it replies to, or its embed title (/ask). */
export async function answeredQuestion(answer: Message, facts: HistoryFacts): Promise<string | null> {
  if (answer.reference?.messageId) {
    const asked = await answer.fetchReference().catch(() => null);
    const text = asked ? stripBotMentions(asked.content, facts.botId, facts.botRoleIds) : '';
    if (text) return text;
  }
  return answer.embeds[0]?.title ?? null;
}

async function threadHistory(message: Message, facts: HistoryFacts): Promise<string[]> {
  const channel = message.channel;
  if (!channel.isThread()) return [];
  // The bot starts its threads on its answer to a mention: that answer's question comes first.
  const starter = await channel.fetchStarterMessage().catch(() => null);
  const first = (starter?.author.id === facts.botId ? await answeredQuestion(starter, facts) : null) ?? channel.name;
  return [first, ...(await earlierQuestions(message, facts, 0))];
}

/** The earlier questions people (not bots) asked in the message's channel since `since` (ms), oldest first. */
async function earlierQuestions(message: Message, facts: HistoryFacts, since: number): Promise<string[]> {
  const earlier = await message.channel.messages.fetch({ limit: LOOKBACK, before: message.id }).catch(() => null);
  if (!earlier) return [];
  return [...earlier.values()]
    .filter((m) => !m.author.bot && !m.system && m.createdTimestamp >= since)
    .sort((a, b) => a.createdTimestamp - b.createdTimestamp || (BigInt(a.id) < BigInt(b.id) ? -1 : 1))
    .map((m) => stripBotMentions(m.content, facts.botId, facts.botRoleIds))
    .filter((text) => text && !isChatter(text));
}
