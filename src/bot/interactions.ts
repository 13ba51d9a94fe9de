/**
 * Routes every interaction to its command module, and is the one place that catches: whatever a
 * handler throws becomes a short ephemeral reply (see reply.ts), and every interaction is logged as
 * one JSON line with its latency and outcome.
 */
import type { Interaction } from 'discord.js';
import { isNewsdeskError } from '../errors.js';
import { commandsByName } from './commands/index.js';
import type { BotContext, LogFields, Outcome } from './context.js';
import { parseCustomId } from './custom-id.js';
import { describeError } from '../errors.js';
import { replyWithError, replyWithNotice } from './reply.js';

function describe(interaction: Interaction): LogFields {
  const base: LogFields = {
    event: 'interaction',
    user: interaction.user.id,
    guild: interaction.guildId,
    channel: interaction.channelId,
  };
  if (interaction.isChatInputCommand()) return { ...base, kind: 'command', command: interaction.commandName };
  if (interaction.isAutocomplete()) return { ...base, kind: 'autocomplete', command: interaction.commandName };
  if (interaction.isMessageComponent()) {
    const id = parseCustomId(interaction.customId);
    return { ...base, kind: 'component', command: id.command, action: id.action };
  }
  return { ...base, kind: `type-${interaction.type}` };
}

async function route(interaction: Interaction, ctx: BotContext): Promise<Outcome> {
  if (interaction.isChatInputCommand()) {
    const command = commandsByName.get(interaction.commandName);
    if (!command) throw new Error(`unknown command /${interaction.commandName}: run npm run deploy-commands`);
    return command.execute(interaction, ctx);
  }
  if (interaction.isAutocomplete()) {
    const command = commandsByName.get(interaction.commandName);
    if (command?.autocomplete) return command.autocomplete(interaction, ctx);
    await interaction.respond([]);
    return;
  }
  if (interaction.isMessageComponent()) {
    const id = parseCustomId(interaction.customId);
    const command = commandsByName.get(id.command);
    if (!command?.component) throw new Error(`no handler for component ${id.command}:${id.action}`);
    return command.component(interaction, ctx, id);
  }
  return undefined;
}

/** Handles one interaction completely; never throws, never leaves a repliable one unanswered. */
export async function handleInteraction(interaction: Interaction, ctx: BotContext): Promise<void> {
  const started = performance.now();
  const entry = describe(interaction);
  try {
    const outcome = await route(interaction, ctx);
    if (outcome) Object.assign(entry, outcome);
    if (interaction.isRepliable() && !interaction.replied && !interaction.deferred) {
      throw new Error(`${String(entry.command)} finished without replying`);
    }
    entry.ok = true;
  } catch (error) {
    entry.ok = false;
    entry.code = isNewsdeskError(error) ? error.code : 'INTERNAL';
    if (!isNewsdeskError(error)) entry.error = describeError(error);
    await replyWithError(interaction, error, ctx);
  } finally {
    entry.ms = Math.round(performance.now() - started);
    ctx.log(entry);
  }
}

/** While shutting down: a polite refusal instead of silence. */
export async function refuseWhileStopping(interaction: Interaction, ctx: BotContext): Promise<void> {
  await replyWithNotice(interaction, STOPPING, ctx);
  ctx.log({ ...describe(interaction), ok: false, code: 'STOPPING' });
}

export const STOPPING = 'Newsdesk is restarting. Try again in a minute.';
