/**
 * Registers the slash commands of the registry with Discord: to one guild (instant, for
 * development) or globally. Used by scripts/deploy-commands.ts.
 */
import {
  DiscordAPIError,
  REST,
  Routes,
  type APIApplication,
  type RESTGetAPIApplicationGuildCommandsResult,
  type RESTPutAPIApplicationCommandsResult,
} from 'discord.js';
import { NewsdeskError } from '../errors.js';
import { commandData } from './commands/index.js';

export interface DeployOptions {
  token: string;
  /** discord.js REST `api` base (DISCORD_API_URL); null for Discord itself. */
  apiUrl: string | null;
  /** Register to this guild only; null for global commands. */
  guildId: string | null;
}

export interface DeployResult {
  applicationId: string;
  applicationName: string;
  scope: 'guild' | 'global';
  names: string[];
}

export async function deployCommands(options: DeployOptions): Promise<DeployResult> {
  const rest = new REST(options.apiUrl ? { api: options.apiUrl } : {}).setToken(options.token);
  const body = commandData();
  try {
    const app = (await rest.get(Routes.currentApplication())) as APIApplication;
    const route = options.guildId
      ? Routes.applicationGuildCommands(app.id, options.guildId)
      : Routes.applicationCommands(app.id);
    const registered = (await rest.put(route, { body })) as RESTPutAPIApplicationCommandsResult;
    return {
      applicationId: app.id,
      applicationName: app.name,
      scope: options.guildId ? 'guild' : 'global',
      names: registered.map((c) => c.name),
    };
  } catch (error) {
    throw deployError(error, options);
  }
}

export interface ClearResult {
  applicationId: string;
  applicationName: string;
  guildId: string;
  /** The names of the guild commands that were there. */
  removed: string[];
}

/**
 * Removes every command registered in one guild. After moving to global commands, the guild
 * copies from development would otherwise show twice in that server.
 */
export async function clearGuildCommands(options: DeployOptions & { guildId: string }): Promise<ClearResult> {
  const rest = new REST(options.apiUrl ? { api: options.apiUrl } : {}).setToken(options.token);
  try {
    const app = (await rest.get(Routes.currentApplication())) as APIApplication;
    const route = Routes.applicationGuildCommands(app.id, options.guildId);
    const existing = (await rest.get(route)) as RESTGetAPIApplicationGuildCommandsResult;
    await rest.put(route, { body: [] });
    return { applicationId: app.id, applicationName: app.name, guildId: options.guildId, removed: existing.map((c) => c.name) };
  } catch (error) {
    throw deployError(error, options);
  }
}

function deployError(error: unknown, options: DeployOptions): unknown {
  if (error instanceof DiscordAPIError) {
    if (error.status === 401) {
      return new NewsdeskError(
        'CONFIG_INVALID',
        '- DISCORD_TOKEN: Discord rejected this token (401). Reset it on the Bot page of your application and copy it into .env.',
        { cause: error },
      );
    }
    if (options.guildId && (error.code === 50001 || error.code === 10004 || error.status === 403)) {
      return new NewsdeskError(
        'CONFIG_INVALID',
        `- DEV_GUILD_ID: the bot cannot register commands in guild ${options.guildId} (Discord: ${error.message}). ` +
          'Check the id, and invite the bot there with the bot and applications.commands scopes.',
        { cause: error },
      );
    }
    if (error.code === 50035) {
      return new Error(`Discord refused the command definitions: ${error.message}`, { cause: error });
    }
    return new Error(`Discord answered ${error.status}: ${error.message}`, { cause: error });
  }
  const cause = (error as { cause?: { code?: string } })?.cause;
  const code = (error as { code?: string })?.code ?? cause?.code;
  if (typeof code === 'string' && /^(ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|UND_ERR)/.test(code)) {
    return new Error(`Could not reach Discord at ${options.apiUrl ?? 'https://discord.com/api'} (${code}).`, { cause: error });
  }
  return error;
}
