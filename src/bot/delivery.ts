/**
 * Delivery that survives a response lost on the way back. When Discord applied a request but its
 * answer was lost (a 502, a dropped socket), the retry of an interaction callback answers 40060
 * "already acknowledged": the interaction *is* answered, so carry on as if the first try had
 * succeeded. And an answer that may have reached the user is never replaced by an error notice.
 */
import {
  DiscordAPIError,
  HTTPError,
  MessageFlags,
  SnowflakeUtil,
  type InteractionReplyOptions,
  type InteractionUpdateOptions,
  type MessageComponentInteraction,
  type RepliableInteraction as AnyRepliable,
} from 'discord.js';
import { isTransientNetworkError } from './transport.js';

type RepliableInteraction = AnyRepliable | MessageComponentInteraction;

const ALREADY_ACKNOWLEDGED = 40060;
const LOADING = MessageFlags.Loading;

export function isAlreadyAcknowledged(error: unknown): boolean {
  return error instanceof DiscordAPIError && error.code === ALREADY_ACKNOWLEDGED;
}

/** deferReply, where 40060 means an earlier try of this defer took effect. */
export async function deferReply(interaction: RepliableInteraction, ephemeral = false): Promise<void> {
  const client = interaction.client;
  acksInFlight.set(client, (acksInFlight.get(client) ?? 0) + 1);
  try {
    await interaction.deferReply(ephemeral ? { flags: MessageFlags.Ephemeral } : {});
  } catch (error) {
    if (!isAlreadyAcknowledged(error)) throw error;
    // What discord.js would have set had the first response arrived; editReply needs it.
    interaction.deferred = true;
    interaction.ephemeral = ephemeral;
  } finally {
    acksInFlight.set(client, acksInFlight.get(client)! - 1);
  }
}

/*
 * Acks first. Discord drops an interaction not acknowledged within 3 s, while a deferred answer
 * may take minutes; answering (retrieval runs on this thread) waits while the same bot's defers
 * are in flight, so a burst of questions is acknowledged before the bot answers any of them.
 * Never for longer than ACK_PRIORITY_MAX_MS, so answers can't starve. Counted per client, so one
 * bot's acks never hold up another's answers in the same process.
 */
const acksInFlight = new WeakMap<RepliableInteraction['client'], number>();
const ACK_PRIORITY_MAX_MS = 2500;

export async function afterPendingAcks(interaction: RepliableInteraction): Promise<void> {
  const until = Date.now() + ACK_PRIORITY_MAX_MS;
  const pending = () => (acksInFlight.get(interaction.client) ?? 0) > 0;
  while (pending() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 5));
}

/** reply, where 40060 means an earlier try of this reply took effect. */
export async function reply(interaction: RepliableInteraction, payload: InteractionReplyOptions): Promise<void> {
  try {
    await interaction.reply(payload);
  } catch (error) {
    if (!isAlreadyAcknowledged(error)) throw error;
    interaction.replied = true;
  }
}

/** update (a component's message in place), where 40060 means an earlier try took effect. */
export async function update(interaction: MessageComponentInteraction, payload: InteractionUpdateOptions): Promise<void> {
  try {
    await interaction.update(payload);
  } catch (error) {
    if (!isAlreadyAcknowledged(error)) throw error;
    interaction.replied = true;
  }
}

/** Interactions whose final reply was sent, whether or not its response came back. */
const finalSent = new WeakSet<RepliableInteraction>();

/** Edits the deferred reply with the final answer (which an error notice must not replace). */
export async function editFinalReply(interaction: RepliableInteraction, payload: Parameters<AnyRepliable['editReply']>[0]): Promise<void> {
  finalSent.add(interaction);
  await interaction.editReply(payload);
}

/**
 * Whether the final reply already shows: it was sent, and @original is no longer "thinking…"
 * (a GET, only on this error path). Unknown counts as not delivered, so the user still hears back.
 */
export async function finalReplyShows(interaction: RepliableInteraction): Promise<boolean> {
  if (!finalSent.has(interaction)) return false;
  try {
    const original = await interaction.fetchReply();
    return !original.flags.has(LOADING);
  } catch {
    return false;
  }
}

/** Whether a request that failed so may still have taken effect: its response, not its request, was lost. */
export function mayHaveTakenEffect(error: unknown): boolean {
  return isTransientNetworkError(error) || error instanceof HTTPError || (error as Error)?.name === 'AbortError';
}

/** A fresh nonce for a channel message: with `enforceNonce`, Discord posts it at most once. */
export function messageNonce(): { nonce: string; enforceNonce: true } {
  return { nonce: SnowflakeUtil.generate().toString(), enforceNonce: true };
}
