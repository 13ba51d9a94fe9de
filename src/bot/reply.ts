/**
 * The one place that sends errors to users, and the safety settings every message carries.
 * Commands throw (NewsdeskError with a code, or anything else); `replyWithError` turns that into a
 * short ephemeral reply, whatever state the interaction is in.
 */
import { MessageFlags, type Interaction } from 'discord.js';
import { describeError, NewsdeskError, userMessage } from '../errors.js';
import type { BotContext } from './context.js';
import { finalReplyShows } from './delivery.js';
import type { MessagePayload } from './render.js';
import { contentWithin } from './render.js';
import { discordTime } from './text.js';

/** No @everyone, @here, role or user pings, and replies do not ping their author. */
export const NO_MENTIONS = Object.freeze({ parse: [] as never[], repliedUser: false });

/** A payload ready for discord.js: explicit about mentions. */
export function safe<T extends object>(payload: T): T & { allowedMentions: typeof NO_MENTIONS } {
  return { ...payload, allowedMentions: NO_MENTIONS };
}

/** An ephemeral reply (only the user who interacted sees it). */
export function ephemeral(payload: MessagePayload) {
  return { ...safe(payload), flags: MessageFlags.Ephemeral as const };
}

export function errorPayload(error: unknown): MessagePayload {
  return noticePayload(userMessage(error));
}

function noticePayload(text: string): MessagePayload {
  return { content: contentWithin(text), embeds: [], components: [] };
}

/** Throws RATE_LIMITED, telling when to try again, if the user or channel is over its limit. */
export function enforceLimit(ctx: BotContext, userId: string, channelId: string | null): void {
  const result = ctx.limiter.take(userId, channelId, 'private');
  if (!result.ok) throw rateLimited(result);
}

/** RATE_LIMITED, saying who is limited and when to try again. */
export function rateLimited(limit: { scope: 'user' | 'channel'; retryAt: number }): NewsdeskError {
  const who = limit.scope === 'user' ? 'You can ask again' : 'This channel can get answers again';
  return new NewsdeskError('RATE_LIMITED', `${who} ${discordTime(limit.retryAt)}.`);
}

/** Sends the error's user message as the ephemeral reply, a follow-up, or the edit of a deferred reply. Never throws. */
export function replyWithError(interaction: Interaction, error: unknown, ctx: BotContext): Promise<void> {
  return replyWithNotice(interaction, userMessage(error), ctx);
}

/** Like replyWithError, for a text of our own. Never throws. */
export async function replyWithNotice(interaction: Interaction, text: string, ctx: BotContext): Promise<void> {
  try {
    if (interaction.isAutocomplete()) {
      if (!interaction.responded) await interaction.respond([]);
      return;
    }
    if (!interaction.isRepliable()) return;
    const payload = noticePayload(text);
    if (interaction.deferred && !interaction.replied && !interaction.isMessageComponent()) {
      // A deferred command reply shows "thinking…" until edited; the edit keeps its visibility.
      // But an answer that reached the user, though its response was lost, stays.
      if (await finalReplyShows(interaction)) {
        ctx.log({ event: 'error', where: 'reply-error', kept: 'the answer already shown', notice: text });
        return;
      }
      await interaction.editReply(safe(payload));
    } else if (interaction.deferred || interaction.replied) {
      await interaction.followUp(ephemeral(payload));
    } else {
      await interaction.reply(ephemeral(payload));
    }
  } catch (sendError) {
    ctx.log({ event: 'error', where: 'reply-error', error: describeError(sendError) });
  }
}

