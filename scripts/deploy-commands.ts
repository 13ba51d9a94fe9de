/**
 * `npm run deploy-commands`: registers the bot's slash commands (src/bot/commands/index.ts) with
 * Discord, to DEV_GUILD_ID when set (instant), otherwise globally.
 */
import { deployCommands } from '../src/bot/deploy.js';
import { commandData } from '../src/bot/commands/index.js';
import { log, parseCli, readConfig, runMain } from '../src/cli/common.js';
import { requireToken } from '../src/config.js';
import { isNewsdeskError } from '../src/errors.js';

const HELP = `
Usage: npm run deploy-commands [-- options]

Registers the slash commands (/ask, /headlines, /source, /about, /reindex) with Discord, using
DISCORD_TOKEN from .env. It looks up the application id itself (GET /applications/@me).

  DEV_GUILD_ID set    the commands are registered in that server only, and appear at once
                      (use this while developing).
  DEV_GUILD_ID unset  the commands are registered globally, for every server the bot is in.

Run it again whenever the commands change. Registering replaces the previous set.

Options:
  --global     register globally even if DEV_GUILD_ID is set
  --print      print the command definitions as JSON and exit, without contacting Discord
  -h, --help   show this help
`;

runMain(async () => {
  const { values } = parseCli(HELP, { global: { type: 'boolean' }, print: { type: 'boolean' } });
  if (values.print) {
    process.stdout.write(`${JSON.stringify(commandData(), null, 2)}\n`);
    return;
  }
  const config = readConfig();
  const token = requireToken(config);
  const guildId = values.global ? null : config.discord.devGuildId;
  let result;
  try {
    result = await deployCommands({ token, apiUrl: config.discord.apiUrl, guildId });
  } catch (error) {
    // Known codes print through runMain; other failures (network, Discord's answer) are one line.
    if (isNewsdeskError(error) || !(error instanceof Error)) throw error;
    log(`error: ${error.message}`);
    process.exitCode = 1;
    return;
  }
  const where = result.scope === 'guild' ? `in guild ${guildId}` : 'globally';
  log(`deploy-commands: registered ${result.names.length} commands ${where} for ${result.applicationName} (${result.applicationId}): ${result.names.map((n) => `/${n}`).join(', ')}`);
});
