/**
 * The `npm start` process when SHARDS is set: asks Discord how many shards (SHARDS=auto), starts
 * them (src/cli/shards.ts), and turns signals into a stop of all of them. Logs JSON lines on
 * stderr, as the bot does; the shards' own lines go to the same stderr.
 */
import { discordRefusal } from '../bot/connect.js';
import { structuredLog } from '../bot/log.js';
import type { Config } from '../config.js';
import { describeError, isNewsdeskError, NewsdeskError } from '../errors.js';
import { log } from './common.js';
import { serveHealth, type HealthServer } from './health.js';
import { claimProcessErrors, handleSignals, watchParent } from './lifecycle.js';
import { createShards, fetchGatewayBot, shardCount, spawnDelayMs, type Shards } from './shards.js';

export interface ShardManagerOptions {
  /** The bot entry each shard runs. */
  file: string;
  /** The exit code for a configuration Discord refuses (a shard exiting with it stops all). */
  exitConfig: number;
}

export async function runShardManager(config: Config, options: ShardManagerOptions): Promise<void> {
  if (!config.discord.token) {
    throw new NewsdeskError('CONFIG_INVALID', '- DISCORD_TOKEN: SHARDS runs the Discord bot, which needs its token. Put your bot token in .env, or unset SHARDS for the console.');
  }
  const token = config.discord.token;
  const events = structuredLog(log, [token]);
  claimProcessErrors(events);
  const exit = (code: number) => process.exit(code);
  const aborted = new AbortController();
  let shards: Shards | null = null;
  let health: HealthServer | null = null;
  let exitCode = 0;
  const { shutdown } = handleSignals({
    log: events,
    exit: (code) => exit(code === 0 ? exitCode : code),
    stop: async () => {
      aborted.abort();
      await shards?.stop();
      await health?.close();
      events({ event: 'stopped', shards: shards?.manager.shards.size ?? 0 });
    },
    reload: async () => {
      shards?.reload();
      events({ event: 'reload', signal: 'SIGHUP', relayed: shards?.manager.shards.size ?? 0 });
    },
  });
  if (process.env.npm_lifecycle_event) {
    watchParent({ ppid: () => process.ppid, onGone: (parent) => shutdown(`parent process ${parent} (npm) exited`) });
  }

  try {
    const started = performance.now();
    const info = await fetchGatewayBot(config.discord.apiUrl, token, events, aborted.signal);
    if (aborted.signal.aborted) return;
    const count = shardCount(config.shards ?? 'auto', info);
    const delay = spawnDelayMs(info.maxConcurrency);
    events({ event: 'shards', count, setting: config.shards, recommended: info.shards, maxConcurrency: info.maxConcurrency, spawnDelayMs: delay, pid: process.pid });
    shards = createShards({
      file: options.file,
      token,
      count,
      spawnDelayMs: delay,
      log: events,
      onStartFailure: (shard, code) => {
        // As one bot would: exit, so that the supervisor's restart policy applies (78: none).
        const refused = code === options.exitConfig;
        events({
          event: 'fatal',
          code: refused ? 'CONFIG_INVALID' : 'SHARD_START_FAILED',
          error: `shard ${shard} exited with ${code} before it was ready (see its fatal line); stopping all shards instead of respawning it.`,
        });
        exitCode = refused ? options.exitConfig : 1;
        shutdown(`shard ${shard} failed to start`);
      },
    });
    if (config.healthPort !== null) {
      const ready = shards;
      health = await serveHealth(config.healthPort, () => ready.health());
      events({ event: 'health', url: `http://127.0.0.1:${health.port}/healthz` });
    }
    await shards.spawn();
    if (!aborted.signal.aborted) events({ event: 'shards-ready', count, ms: Math.round(performance.now() - started) });
  } catch (caught) {
    if (aborted.signal.aborted) return; // a stop signal during start-up: shutdown exits
    const error = discordRefusal(caught);
    const message = isNewsdeskError(error) ? (error.detail ?? error.message).replace(/^- /, '') : describeError(error);
    events({ event: 'fatal', code: isNewsdeskError(error) ? error.code : 'INTERNAL', error: message });
    await shards?.stop();
    exit(isNewsdeskError(error, 'CONFIG_INVALID') ? options.exitConfig : 1);
  }
}
