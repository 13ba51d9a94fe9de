/**
 * The bot's side of `npm run bench`: the real discord.js client against the fake Discord the
 * tests use (127.0.0.1 only), timing login to ready and /ask from dispatch to the edited answer.
 */
import { startBot } from '../src/bot/bot.js';
import { commandData } from '../src/bot/commands/index.js';
import { loadConfig } from '../src/config.js';
import type { Engine } from '../src/index/types.js';
import { startFakeDiscord } from '../tests/support/fake-discord.js';

export interface DiscordTimings {
  readyMs: number[];
  askMs: number[];
}

export async function measureDiscord(engine: Engine, dirs: { dataDir: string; corpusDir: string }, questions: string[], logins = 5): Promise<DiscordTimings> {
  const readyMs: number[] = [];
  const askMs: number[] = [];
  for (let round = 0; round < logins; round++) {
    const fake = await startFakeDiscord();
    fake.commands.guild.set(fake.guildId, commandData().map((c) => ({ ...c, id: fake.snowflake(), application_id: fake.applicationId, guild_id: fake.guildId })));
    const config = loadConfig({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl, DATA_DIR: dirs.dataDir, CORPUS_DIR: dirs.corpusDir, USER_COOLDOWN_SECONDS: '0', CHANNEL_RATE_LIMIT: '0' });
    const bot = await startBot({ config, engine, log: () => {} });
    readyMs.push(bot.readyMs);
    if (round === 0) {
      for (const question of questions) {
        const started = performance.now();
        await fake.slashCommand('ask', { question }).waitForEdit(10_000);
        askMs.push(performance.now() - started);
      }
    }
    await bot.stop();
    await fake.close();
  }
  return { readyMs, askMs };
}
