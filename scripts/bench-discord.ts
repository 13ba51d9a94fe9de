/**
 * The bot's side of `npm run bench`: the real discord.js client against the fake Discord the
 * tests use (127.0.0.1 only), timing login to ready and /ask from dispatch to the edited answer.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
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

export interface BurstTimings {
  questions: number;
  /** Dispatch to the defer reaching Discord, per question (ms). */
  ackMs: number[];
  /** Dispatch to the answer edit reaching Discord, per question (ms). */
  answerMs: number[];
  /** How many answers quote a passage (an embed), as opposed to a refusal or an error. */
  quoted: number;
  /** The worst event-loop delay during the burst (ms): what heartbeats and acks waited. */
  loopDelayMaxMs: number;
}

/** `n` people each send one /ask at the same moment; when is each acknowledged and answered? */
export async function measureBurst(engine: Engine, dirs: { dataDir: string; corpusDir: string }, questions: string[], n = 200): Promise<BurstTimings> {
  const fake = await startFakeDiscord();
  fake.commands.guild.set(fake.guildId, commandData().map((c) => ({ ...c, id: fake.snowflake(), application_id: fake.applicationId, guild_id: fake.guildId })));
  const config = loadConfig({ DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl, DATA_DIR: dirs.dataDir, CORPUS_DIR: dirs.corpusDir, USER_COOLDOWN_SECONDS: '0', CHANNEL_RATE_LIMIT: '0' });
  const bot = await startBot({ config, engine, log: () => {}, watchIndex: false });
  const users = Array.from({ length: n }, () => fake.addUser());
  const loop = monitorEventLoopDelay({ resolution: 10 });
  try {
    loop.enable();
    const started = Date.now();
    const handles = users.map((user, i) => fake.slashCommand('ask', { question: questions[i % questions.length]! }, { user }));
    const [callbacks, edits] = await Promise.all([
      Promise.all(handles.map((h) => h.waitForCallback(60_000))),
      Promise.all(handles.map((h) => h.waitForEdit(60_000))),
    ]);
    loop.disable();
    return {
      questions: n,
      ackMs: callbacks.map((c) => c.at - started),
      answerMs: edits.map((c) => c.at - started),
      quoted: edits.filter((c) => (c.body?.embeds?.length ?? 0) > 0).length,
      loopDelayMaxMs: loop.max / 1e6,
    };
  } finally {
    await bot.stop();
    await fake.close();
  }
}
