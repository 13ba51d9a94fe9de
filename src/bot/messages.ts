/**
 * Answers to plain messages: @mentions (the answer is a reply, and starts a thread for follow-ups),
 * messages in threads the bot started, direct messages, and questions in ANSWER_CHANNEL_IDS.
 */
import { ChannelType, ThreadAutoArchiveDuration, type Message } from 'discord.js';
import { describeError, isNewsdeskError } from '../errors.js';
import { validateQuestion } from '../index/snapshot.js';
import { answerPayload } from './answer.js';
import { mayHaveTakenEffect, messageNonce } from './delivery.js';
import type { BotContext, LogFields } from './context.js';
import { conversationHistory } from './history.js';
import { messageTrigger, stripBotMentions, threadName, type MessageFacts } from './question.js';
import { errorPayload, rateLimited, safe } from './reply.js';
import type { MessagePayload } from './render.js';

function botRoleIds(message: Message): string[] {
  const botRole = message.guild?.members.me?.roles.botRole?.id;
  return botRole ? [botRole] : [];
}

/** What the bot needs to know about a message to decide whether to answer it. */
export function messageFacts(message: Message, answerChannelIds: readonly string[]): MessageFacts {
  const botId = message.client.user.id;
  const roleIds = botRoleIds(message);
  const mention = new RegExp(`<@[!&]?(?:${[botId, ...roleIds].join('|')})>`);
  const channel = message.channel;
  const thread = channel.isThread() ? channel : null;
  return {
    fromBot: message.author.bot || message.system || message.webhookId !== null,
    isDM: channel.isDMBased(),
    mentionsBot: mention.test(message.content),
    inBotThread: thread?.ownerId === botId,
    repliesToBot: message.mentions.repliedUser?.id === botId,
    inAnswerChannel:
      answerChannelIds.includes(channel.id) || (thread?.parentId != null && answerChannelIds.includes(thread.parentId)),
    question: stripBotMentions(message.content, botId, roleIds),
  };
}

/** A reply that Discord posts at most once, however often its POST is retried (enforced nonce). */
async function reply(message: Message, payload: MessagePayload): Promise<Message> {
  return message.reply({ ...safe(payload), failIfNotExists: false, ...messageNonce() });
}

/** Handles one message completely; never throws. Logs one JSON line for each message it answers. */
export async function handleMessage(message: Message, ctx: BotContext): Promise<void> {
  if (message.author.bot) return;
  const facts = messageFacts(message, ctx.config.discord.answerChannelIds);
  const trigger = messageTrigger(facts);
  if (!trigger) return;
  const started = performance.now();
  let answering = false;
  const entry: LogFields = {
    event: 'message',
    trigger,
    user: message.author.id,
    guild: message.guildId,
    channel: message.channelId,
  };
  try {
    const question = validateQuestion(facts.question);
    const limit = ctx.limiter.take(message.author.id, message.channelId);
    if (!limit.ok) {
      entry.ok = false;
      entry.code = 'RATE_LIMITED';
      // Say it once per window; repeating it would add to the noise the limit is there to stop.
      if (limit.first) await reply(message, errorPayload(rateLimited(limit)));
      return;
    }
    const history = await conversationHistory(message, { ...facts, botId: message.client.user.id, botRoleIds: botRoleIds(message) });
    if (history.length > 0) entry.history = history.length;
    const answer = await ctx.engine.ask(question, { k: ctx.config.answerK, history });
    answering = true;
    const sent = await reply(message, answerPayload(answer, ctx));
    answering = false;
    entry.answered = answer.answered;
    entry.ok = true;
    const channel = message.channel;
    // Follow-ups in the thread need Message Content, which slash-only mode goes without.
    const threads = !ctx.config.discord.slashOnly;
    if (threads && trigger === 'mention' && (channel.type === ChannelType.GuildText || channel.type === ChannelType.GuildAnnouncement)) {
      await sent
        .startThread({ name: threadName(question), autoArchiveDuration: ThreadAutoArchiveDuration.OneDay })
        .then((thread) => (entry.thread = thread.id))
        .catch((error: unknown) => ctx.log({ event: 'error', where: 'start-thread', error: describeError(error) }));
    }
  } catch (error) {
    entry.ok = false;
    entry.code = isNewsdeskError(error) ? error.code : 'INTERNAL';
    if (!isNewsdeskError(error)) entry.error = describeError(error);
    // The answer may show although its response was lost: a notice under it would say it failed.
    if (answering && mayHaveTakenEffect(error)) return;
    await reply(message, errorPayload(error)).catch((sendError: unknown) =>
      ctx.log({ event: 'error', where: 'message-reply', error: describeError(sendError) }),
    );
  } finally {
    entry.ms = Math.round(performance.now() - started);
    ctx.log(entry);
  }
}
