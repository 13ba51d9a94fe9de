/**
 * The Discord adapter: a discord.js client wired to the engine. Everything Discord-specific lives
 * under src/bot; the engine never imports discord.js.
 */
import { Client, Events, GatewayIntentBits, Partials, type Interaction, type Message } from 'discord.js';
import { requireToken, type Config } from '../config.js';
import { NewsdeskError } from '../errors.js';
import type { Engine } from '../index/types.js';
import type { AskSession, BotContext, FeedStatusSource, HeadlinesSession, LogFields } from './context.js';
import { handleInteraction, refuseWhileStopping } from './interactions.js';
import { RateLimiter } from './limiter.js';
import { structuredLog } from './log.js';
import { handleMessage } from './messages.js';
import { watchIndex, type IndexWatcher } from '../index/watch.js';
import { describeError } from '../errors.js';
import { NO_MENTIONS } from './reply.js';
import { SessionStore } from './sessions.js';

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
  /** How long stop() waits for replies in flight (default 10 s). */
  drainTimeoutMs?: number;
  /** How long to wait for Discord's READY (default 30 s). */
  readyTimeoutMs?: number;
  /** The feed poller, whose state /feeds lists (src/cli/start.ts starts and stops it). */
  feeds?: FeedStatusSource | null;
}

export interface Bot {
  client: Client<true>;
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
    },
    progressIntervalMs: options.progressIntervalMs ?? 1500,
    feeds: options.feeds ?? null,
  };

  const client = new Client({
    intents: INTENTS,
    // DMs arrive on channels discord.js has not cached; without Partials.Channel they are dropped.
    partials: [Partials.Channel, Partials.Message],
    rest: config.discord.apiUrl ? { api: config.discord.apiUrl } : {},
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
  client.on(Events.ShardDisconnect, (event, shard) => log({ event: 'disconnect', shard, code: event.code }));
  client.on(Events.ShardReconnecting, (shard) => log({ event: 'reconnecting', shard }));

  const watcher: IndexWatcher | null =
    options.watchIndex === false ? null : await watchIndex({ dataDir: config.dataDir, engine, log });

  const started = performance.now();
  try {
    await login(client, token, options.readyTimeoutMs ?? 30_000);
  } catch (error) {
    watcher?.close();
    await client.destroy().catch(() => {});
    throw loginError(error);
  }
  const readyMs = Math.round(performance.now() - started);
  const ready = client as Client<true>;
  log({ event: 'ready', user: ready.user.tag, id: ready.user.id, guilds: ready.guilds.cache.size, ms: readyMs });

  let stopping: Promise<void> | null = null;
  const drainTimeoutMs = options.drainTimeoutMs ?? 10_000;
  return {
    client: ready,
    readyMs,
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

/** Logs in and waits for READY, failing fast when Discord closes the gateway for good. */
async function login(client: Client, token: string, timeoutMs: number): Promise<void> {
  let onDisconnect: ((event: { code: number }) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    client.once(Events.ClientReady, () => resolve());
    onDisconnect = (event) => reject(new GatewayClosed(event.code));
    client.once(Events.ShardDisconnect, onDisconnect);
    timer = setTimeout(() => reject(new Error(`Discord did not send READY within ${timeoutMs / 1000} s.`)), timeoutMs);
  });
  ready.catch(() => {});
  const loggingIn = client.login(token);
  loggingIn.catch(() => {});
  try {
    // Whichever settles first: login failing, or READY / an unrecoverable close while connecting.
    await Promise.race([loggingIn.then(() => ready), ready]);
  } finally {
    clearTimeout(timer);
    if (onDisconnect) client.off(Events.ShardDisconnect, onDisconnect);
  }
}

class GatewayClosed extends Error {
  constructor(readonly closeCode: number) {
    super(`Discord closed the gateway connection (code ${closeCode}).`);
  }
}

/** Login failures an operator can fix, said plainly. */
function loginError(error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  if (code === 'TokenInvalid' || (error instanceof GatewayClosed && error.closeCode === 4004)) {
    return new NewsdeskError(
      'CONFIG_INVALID',
      '- DISCORD_TOKEN: Discord rejected this token. On the Bot page of your application, reset the token and copy the new one into .env.',
      { cause: error },
    );
  }
  if (error instanceof GatewayClosed && (error.closeCode === 4014 || error.closeCode === 4013)) {
    return new NewsdeskError(
      'CONFIG_INVALID',
      '- Discord refused the Message Content intent. In the Developer Portal, open your application, Bot page, and turn on "Message Content Intent" under Privileged Gateway Intents.',
      { cause: error },
    );
  }
  return error;
}
