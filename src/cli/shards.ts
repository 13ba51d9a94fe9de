/**
 * SHARDS=auto|N: `npm start` runs discord.js's ShardingManager instead of the bot. It holds no
 * engine and no gateway connection: it starts one child process per shard (each the ordinary bot,
 * start.js, on its own shard), respawns one that dies, relays signals, and serves HEALTH_PORT for
 * them all. It is the process a supervisor holds: SIGTERM stops every shard (each drains its
 * answers in flight) and then exits 0.
 */
import type { ChildProcess } from 'node:child_process';
import { REST, ShardingManager, type Shard } from 'discord.js';
import { waitForApi, seconds } from '../bot/connect.js';
import type { ShardCount } from '../config.js';
import { describeError } from '../errors.js';
import type { HealthReport } from './health.js';

type Log = (fields: Record<string, unknown>) => void;

/** A log writer whose lines name the shard: `{"shard":N,…}` for JSON lines, `shard N: …` for others. */
export function tagShard(write: (line: string) => void, shard: number): (line: string) => void {
  return (line) => write(line.startsWith('{') ? `{"shard":${shard},${line.slice(1)}` : `shard ${shard}: ${line}`);
}

/** What GET /gateway/bot says about sharding. */
export interface GatewayBotInfo {
  /** Discord's recommended shard count. */
  shards: number;
  /** Shards whose id differs mod this may identify at the same time. */
  maxConcurrency: number;
}

/** Discord allows one IDENTIFY per 5 s in each rate-limit bucket (shard id mod max_concurrency). */
const IDENTIFY_INTERVAL_MS = 5_500;

/**
 * The pause between starting two shards: consecutive shards are in different buckets up to
 * max_concurrency, so shards of one bucket start IDENTIFY_INTERVAL_MS apart.
 */
export function spawnDelayMs(maxConcurrency: number): number {
  return Math.ceil(IDENTIFY_INTERVAL_MS / Math.max(1, maxConcurrency));
}

/** The shard count to run: SHARDS=N as given, `auto` as Discord recommends (at least 1). */
export function shardCount(setting: ShardCount, info: GatewayBotInfo): number {
  return setting === 'auto' ? Math.max(1, info.shards) : setting;
}

/**
 * Asks Discord (DISCORD_API_URL when set) for GET /gateway/bot, waiting with backoff while it
 * can't be reached. discord.js's own fetchRecommendedShardCount always asks discord.com.
 */
export async function fetchGatewayBot(apiUrl: string | null, token: string, log: Log, signal: AbortSignal): Promise<GatewayBotInfo> {
  const rest = new REST(apiUrl ? { api: apiUrl } : {});
  const body = (await waitForApi({ rest }, token, {
    backoff: {},
    signal,
    onUnreachable: (code, attempt, delayMs) =>
      log({ event: 'unreachable', what: 'api', attempt, retryInMs: delayMs, message: `Discord can't be reached at ${apiUrl ?? 'https://discord.com/api'} (${code}); retrying in ${seconds(delayMs)}.` }),
  })) as { shards?: number; session_start_limit?: { max_concurrency?: number } };
  return { shards: Number(body.shards ?? 1), maxConcurrency: Number(body.session_start_limit?.max_concurrency ?? 1) };
}

export interface ShardsOptions {
  /** The bot entry each shard process runs (start.js). */
  file: string;
  token: string;
  count: number;
  spawnDelayMs: number;
  log: Log;
  /** How long one shard may take to load its index and connect before the next starts anyway. */
  readyTimeoutMs?: number;
  /** How long a stopping shard may drain before it is killed (its own drain stops at 8 s). */
  stopTimeoutMs?: number;
  /**
   * A shard process exited with an error before it was ready (its index could not load, Discord
   * refused the token or an intent): respawning it would only repeat that, at once and for ever.
   */
  onStartFailure?: (shard: number, code: number) => void;
}

export interface Shards {
  manager: ShardingManager;
  /** Starts the shards one after another; resolves when each is ready or timed out. */
  spawn(): Promise<void>;
  /** SIGHUP to every shard: each reloads the index. */
  reload(): void;
  /** No more respawns; SIGTERM to every shard, and wait for each to exit. */
  stop(): Promise<void>;
  health(): HealthReport;
}

export function createShards(options: ShardsOptions): Shards {
  const { log } = options;
  const ids = [...Array(options.count).keys()];
  const manager = new ShardingManager(options.file, {
    totalShards: options.count,
    shardList: ids,
    token: options.token,
    mode: 'process',
    respawn: true,
    // The shards run with the manager's node flags (e.g. --max-old-space-size).
    execArgv: process.execArgv,
  });
  let stopping = false;

  const watch = (shard: Shard) => {
    let started = false;
    // mode 'process': the child is always a ChildProcess, never a Worker.
    shard.on('spawn', (child) => {
      started = false;
      log({ event: 'shard-spawn', shard: shard.id, pid: (child as ChildProcess).pid });
    });
    shard.on('ready', () => {
      started = true;
      log({ event: 'shard-ready', shard: shard.id });
    });
    shard.on('error', (error) => {
      // While stopping, a shard killed on its way up rejects its spawn: expected, not an error.
      if (!stopping) log({ event: 'error', where: 'shard', shard: shard.id, error: describeError(error) });
    });
    shard.on('death', (worker) => {
      const child = worker as ChildProcess;
      const code = child.exitCode;
      const respawn = !stopping && manager.respawn;
      log({ event: 'shard-exit', shard: shard.id, pid: child.pid, code, signal: child.signalCode, respawn });
      if (!stopping && !started && code !== null && code !== 0) {
        // After discord.js has forked the replacement, so that stopping reaches it too.
        setImmediate(() => options.onStartFailure?.(shard.id, code));
      }
    });
  };

  return {
    manager,
    async spawn() {
      for (const [index, id] of ids.entries()) {
        if (stopping) return;
        if (index > 0) await sleep(options.spawnDelayMs);
        if (stopping) return;
        const shard = manager.createShard(id);
        watch(shard);
        try {
          await shard.spawn(options.readyTimeoutMs ?? 300_000);
        } catch (error) {
          if (stopping) return;
          // It keeps running (and is respawned if it dies); the next shard must not wait for ever.
          log({ event: 'shard-not-ready', shard: id, error: describeError(error) });
        }
      }
    },
    reload() {
      for (const shard of manager.shards.values()) shard.process?.kill('SIGHUP');
    },
    async stop() {
      stopping = true;
      manager.respawn = false;
      await Promise.all([...manager.shards.values()].map((shard) => stopChild(shard.process, options.stopTimeoutMs ?? 15_000, log, shard.id)));
    },
    health() {
      return shardsHealth([...manager.shards.values()], options.count);
    },
  };
}

/** 200 when every shard process runs with its gateway ready (its index loads before it connects). */
export function shardsHealth(shards: Array<Pick<Shard, 'id' | 'ready' | 'process'>>, count: number): HealthReport {
  const list = shards.map((shard) => ({ id: shard.id, pid: shard.process?.pid ?? null, ready: shard.ready && shard.process !== null }));
  const ok = list.length === count && list.every((shard) => shard.ready);
  return { status: ok ? 200 : 503, body: { ok, shards: list, count } };
}

function stopChild(child: ChildProcess | null, timeoutMs: number, log: Log, id: number): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      log({ event: 'shard-killed', shard: id, pid: child.pid, afterMs: timeoutMs });
      child.kill('SIGKILL');
    }, timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
