/**
 * The Discord adapter: a discord.js client wired to the engine. Everything Discord-specific lives
 * under src/bot; the engine never imports discord.js.
 */
import { Client, Events, GatewayIntentBits, Partials, Status, type Interaction, type Message } from 'discord.js';
import { requireToken, withPostgres, type Config } from '../config.js';
import type { NewsdeskError } from '../errors.js';
import type { Engine } from '../index/types.js';
import type { AskSession, BotContext, FeedbackSession, FeedStatusSource, HeadlinesSession, LogFields, TimelineSession } from './context.js';
import { handleInteraction, refuseWhileStopping } from './interactions.js';
import { RateLimiter } from './limiter.js';
import { structuredLog } from './log.js';
import { handleMessage } from './messages.js';
import { watchIndex, type IndexWatcher } from '../index/watch.js';
import { describeError } from '../errors.js';
import { NO_MENTIONS } from './reply.js';
import { retryingRequest } from './transport.js';
import { SessionStore } from './sessions.js';
import { BackoffShardingStrategy, discordRefusal, GatewayClosed, login, Retrier, seconds, waitForApi, type BackoffOptions } from './connect.js';

export interface StartBotOptions {
  config: Config;
  engine: Engine;
  /** Receives one JSON line per event; the token never appears in it. */
  log: (line: string) => void;
  /** The clock for rate limits and sessions (tests inject one). */
  now?: () => number;
  /** Watch `<dataDir>/index/` and reload when another process re-indexes (default true). */
  watchIndex?: boolean;
  /** Minimum time between /reindex progress edits (default 1500 ms). */
  progressIntervalMs?: number;
  /** How long stop() waits for replies in flight (default 8 s, so a stop ends within 10 s). */
  drainTimeoutMs?: number;
  /** Give up waiting for Discord's READY after this long (default: keep retrying). */
  readyTimeoutMs?: number;
  /** The feed poller, whose state /feeds lists (src/cli/start.ts starts and stops it). */
  feeds?: FeedStatusSource | null;
  /** Retry schedule while Discord can't be reached (REST at login, and the gateway). */
  backoff?: BackoffOptions;
  /** Aborting gives up logging in (a stop signal while Discord can't be reached). */
  signal?: AbortSignal;
  /**
   * Discord closed the gateway for good after start-up (a reset token, an intent turned off):
   * the error says what to fix. The bot is already disconnected.
   */
  onFatal?: (error: NewsdeskError) => void;
}

export interface Bot {
  client: Client<true>;
  /** Whether the gateway connection is up (for the health check). */
  connected(): boolean;
  /** Milliseconds from login() to `clientReady`. */
  readyMs: number;
  /** Reloads the index if another process wrote a newer one (SIGHUP). */
  reload(): Promise<boolean>;
  /** Stops taking new work, lets replies in flight finish, and disconnects. Idempotent. */
  stop(): Promise<void>;
}

export const INTENTS = [
  GatewayIntentBits.Guilds,
  GatewayIntentBits.GuildMessages,
  GatewayIntentBits.MessageContent,
  GatewayIntentBits.DirectMessages,
];

/**
 * SLASH_ONLY drops Message Content, the one privileged intent: mentions and DMs still carry their
 * text without it; thread follow-ups and answer channels need it.
 */
export function intentsFor(config: Config): GatewayIntentBits[] {
  return config.discord.slashOnly ? INTENTS.filter((i) => i !== GatewayIntentBits.MessageContent) : INTENTS;
}

const SESSION_TTL_MS = 30 * 60_000;
const MAX_SESSIONS = 1000;

export async function startBot(options: StartBotOptions): Promise<Bot> {
  const { config, engine } = options;
  const token = requireToken(config);
  const now = options.now ?? Date.now;
  const log = structuredLog(options.log, [token]);

  const ctx: BotContext = {
    engine,
    config,
    log,
    now,
    limiter: new RateLimiter({
      userCooldownMs: config.discord.userCooldownSeconds * 1000,
      channelPerMinute: config.discord.channelMessagesPerMinute,
      now,
    }),
    sessions: {
      ask: new SessionStore<AskSession>({ ttlMs: SESSION_TTL_MS, max: MAX_SESSIONS, now }),
      headlines: new SessionStore<HeadlinesSession>({ ttlMs: SESSION_TTL_MS, max: MAX_SESSIONS, now }),
      timeline: new SessionStore<TimelineSession>({ ttlMs: SESSION_TTL_MS, max: MAX_SESSIONS, now }),
      feedback: new SessionStore<FeedbackSession>({ ttlMs: SESSION_TTL_MS, max: MAX_SESSIONS, now }),
    },
    progressIntervalMs: options.progressIntervalMs ?? 1500,
    feeds: options.feeds ?? null,
  };

  const gatewayRetrier = new Retrier(options.backoff ?? {}, (attempt, delayMs) =>
    log({ event: 'unreachable', what: 'gateway', attempt, retryInMs: delayMs, message: `Discord's gateway can't be reached; retrying in ${seconds(delayMs)}.` }),
  );
  const client = new Client({
    intents: intentsFor(config),
    ws: { buildStrategy: (manager) => new BackoffShardingStrategy(manager, gatewayRetrier) },
    // DMs arrive on channels discord.js has not cached; without Partials.Channel they are dropped.
    partials: [Partials.Channel, Partials.Message],
    rest: { ...(config.discord.apiUrl ? { api: config.discord.apiUrl } : {}), makeRequest: retryingRequest({ log }) },
    allowedMentions: NO_MENTIONS,
    failIfNotExists: false,
  });

  let accepting = true;
  const inflight = new Set<Promise<void>>();
  const track = (work: () => Promise<void>) => {
    const job: Promise<void> = work()
      .catch((error: unknown) => log({ event: 'error', where: 'handler', error: describeError(error) }))
      .finally(() => inflight.delete(job));
    inflight.add(job);
  };

  client.on(Events.InteractionCreate, (interaction: Interaction) => {
    track(() => (accepting ? handleInteraction(interaction, ctx) : refuseWhileStopping(interaction, ctx)));
  });
  client.on(Events.MessageCreate, (message: Message) => {
    // Bots, including this one (Discord echoes its own messages), are never answered.
    if (accepting && !message.author.bot) track(() => handleMessage(message, ctx));
  });
  client.on(Events.Error, (error) => log({ event: 'error', where: 'client', error: describeError(error) }));
  client.on(Events.Warn, (message) => log({ event: 'warn', message }));
  client.on(Events.ShardError, (error, shard) => log({ event: 'error', where: 'gateway', shard, error: describeError(error) }));
  client.on(Events.ShardDisconnect, (event, shard) => log({ event: 'disconnect', shard, code: event.code }));
  client.on(Events.ShardReconnecting, (shard) => log({ event: 'reconnecting', shard }));

  const watcher: IndexWatcher | null =
    options.watchIndex === false ? null : await watchIndex({ dataDir: config.dataDir, engine, log, ...withPostgres(config) });

  const started = performance.now();
  try {
    await waitForApi(client, token, {
      backoff: options.backoff ?? {},
      signal: options.signal,
      onUnreachable: (code, attempt, delayMs) =>
        log({
          event: 'unreachable',
          what: 'api',
          attempt,
          retryInMs: delayMs,
          message: `Discord can't be reached at ${config.discord.apiUrl ?? 'https://discord.com/api'} (${code}); retrying in ${seconds(delayMs)}. Check this machine's network and DNS.`,
        }),
    });
    await login(client, token, options.readyTimeoutMs, options.signal);
  } catch (error) {
    watcher?.close();
    await client.destroy().catch(() => {});
    throw discordRefusal(error);
  }
  const readyMs = Math.round(performance.now() - started);
  const ready = client as Client<true>;
  log({ event: 'ready', user: ready.user.tag, id: ready.user.id, guilds: ready.guilds.cache.size, ms: readyMs, pid: process.pid });
  // discord.js emits shardDisconnect only for the close codes it will not reconnect after.
  client.on(Events.ShardDisconnect, (event) => options.onFatal?.(discordRefusal(new GatewayClosed(event.code)) as NewsdeskError));

  let stopping: Promise<void> | null = null;
  const drainTimeoutMs = options.drainTimeoutMs ?? 8_000;
  return {
    client: ready,
    readyMs,
    connected: () => ready.ws.shards.size > 0 && ready.ws.shards.every((shard) => shard.status === Status.Ready),
    reload: () => (watcher ? watcher.reloadNow() : engine.reload()),
    stop() {
      stopping ??= (async () => {
        accepting = false;
        watcher?.close();
        const pending = inflight.size;
        const deadline = Date.now() + drainTimeoutMs;
        while (inflight.size > 0 && Date.now() < deadline) {
          await Promise.race([Promise.allSettled([...inflight]), sleep(deadline - Date.now())]);
        }
        const abandoned = inflight.size;
        await client.destroy();
        log({ event: 'stopped', drained: pending - abandoned, abandoned } satisfies LogFields);
      })();
      return stopping;
    },
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)).unref());
}
