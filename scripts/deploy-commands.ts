/**
 * `npm run deploy-commands`: registers the bot's slash commands (src/bot/commands/index.ts) with
 * Discord, to DEV_GUILD_ID when set (instant), otherwise globally.
 */
import { clearGuildCommands, deployCommands } from '../src/bot/deploy.js';
import { commandData } from '../src/bot/commands/index.js';
import { log, parseCli, readConfig, runMain } from '../src/cli/common.js';
import { requireToken } from '../src/config.js';
import { isNewsdeskError, NewsdeskError } from '../src/errors.js';

const HELP = `
Usage: npm run deploy-commands [-- options]

Registers the slash commands (/ask, /headlines, /source, /about, /reindex) with Discord, using
DISCORD_TOKEN from .env. It looks up the application id itself (GET /applications/@me).

  DEV_GUILD_ID set    the commands are registered in that server only, and appear at once
                      (use this while developing).
  DEV_GUILD_ID unset  the commands are registered globally, for every server the bot is in.

Run it again whenever the commands change. Registering replaces the previous set.

Moving from DEV_GUILD_ID to global commands: register globally (--global), then remove the guild
copies (--clear-guild), or the commands show twice in that server. Guild commands never appear in
DMs with the bot; global ones do.

Options:
  --global        register globally even if DEV_GUILD_ID is set
  --clear-guild   remove every command registered in DEV_GUILD_ID (or --guild); with --global,
                  after registering globally
  --guild ID      the server for --clear-guild, instead of DEV_GUILD_ID
  --print         print the command definitions as JSON and exit, without contacting Discord
  -h, --help      show this help
`;

runMain(async () => {
  const { values } = parseCli(HELP, {
    global: { type: 'boolean' },
    print: { type: 'boolean' },
    'clear-guild': { type: 'boolean' },
    guild: { type: 'string' },
  });
  if (values.print) {
    process.stdout.write(`${JSON.stringify(commandData(), null, 2)}\n`);
    return;
  }
  const config = readConfig();
  const token = requireToken(config);
  const clearGuild = values['clear-guild'] ? (values.guild ?? config.discord.devGuildId) : null;
  if (values['clear-guild'] && !clearGuild) {
    const usage = new NewsdeskError('BAD_USAGE', '--clear-guild needs a server: set DEV_GUILD_ID or pass --guild ID.');
    log(`error ${usage.code}: ${usage.message}`);
    process.exitCode = 2;
    return;
  }
  try {
    if (!values['clear-guild'] || values.global) {
      const guildId = values.global ? null : config.discord.devGuildId;
      const result = await deployCommands({ token, apiUrl: config.discord.apiUrl, guildId });
      const where = result.scope === 'guild' ? `in guild ${guildId}` : 'globally';
      log(`deploy-commands: registered ${result.names.length} commands ${where} for ${result.applicationName} (${result.applicationId}): ${result.names.map((n) => `/${n}`).join(', ')}`);
    }
    if (clearGuild) {
      const cleared = await clearGuildCommands({ token, apiUrl: config.discord.apiUrl, guildId: clearGuild });
      const names = cleared.removed.map((n) => `/${n}`).join(', ') || 'none were registered';
      log(`deploy-commands: removed ${cleared.removed.length} commands from guild ${clearGuild} for ${cleared.applicationName} (${cleared.applicationId}): ${names}`);
    }
  } catch (error) {
    // Known codes print through runMain; other failures (network, Discord's answer) are one line.
    if (isNewsdeskError(error) || !(error instanceof Error)) throw error;
    log(`error: ${error.message}`);
    process.exitCode = 1;
  }
});
