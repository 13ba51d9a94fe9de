/**
 * The one list of slash commands: the bot routes interactions with it, and
 * scripts/deploy-commands.ts registers exactly these definitions with Discord.
 */
import type { RESTPostAPIChatInputApplicationCommandsJSONBody } from 'discord.js';
import type { Command } from '../context.js';
import { about } from './about.js';
import { feeds } from './feeds.js';
import { ask } from './ask.js';
import { headlines } from './headlines.js';
import { reindex } from './reindex.js';
import { source } from './source.js';
import { timeline } from './timeline.js';

export const commands: readonly Command[] = [ask, headlines, timeline, source, about, reindex, feeds];

export const commandsByName: ReadonlyMap<string, Command> = new Map(commands.map((c) => [c.data.name, c]));

/** The JSON bodies to PUT to Discord's application commands route. */
export function commandData(): RESTPostAPIChatInputApplicationCommandsJSONBody[] {
  return commands.map((c) => c.data.toJSON());
}
