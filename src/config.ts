import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import dotenv from 'dotenv';
import { NewsdeskError } from './errors.js';
import { DEFAULT_CHUNKING } from './index/chunk.js';
import type { EmbedderKind, EmbedderOptions } from './index/embedder.js';
import type { ChunkOptions } from './index/types.js';

/** Everything the program reads from the environment, validated once at start-up. */
export interface Config {
  corpusDir: string;
  dataDir: string;
  embedder: Omit<EmbedderOptions, 'log'>;
  chunking: ChunkOptions;
  /** Worker threads that embed during `npm run reindex` (0: the main thread). */
  reindexThreads: number;
  /** How many passages an answer shows. */
  answerK: number;
  discord: DiscordConfig;
  /** Serve GET /healthz on 127.0.0.1 at this port; null: no health endpoint. */
  healthPort: number | null;
  feeds: FeedsConfig;
  store: StoreConfig;
  /**
   * SHARDS: run the bot as this many shard processes under discord.js's ShardingManager
   * ('auto': as many as Discord's GET /gateway/bot recommends); null: one process, no sharding.
   */
  shards: ShardCount | null;
  /** Set in a shard process that the manager started: which shard it is. */
  shardProcess: { id: number; count: number } | null;
}

/** Where the index lives: files under DATA_DIR (embedded), or a PostgreSQL database with pgvector. */
export interface StoreConfig {
  kind: 'embedded' | 'postgres';
  /** postgres:// connection string (DATABASE_URL); required for `postgres`. */
  databaseUrl: string | null;
  /** How often a running process reads current_build for builds others published (PG_POLL_SECONDS). */
  pollSeconds: number;
}

export type ShardCount = 'auto' | number;

/** Discord's own ceiling is far above this; a higher count is a typo, not a plan. */
export const MAX_SHARDS = 4096;

export interface FeedsConfig {
  /** Feed URLs the running bot polls (FEEDS). */
  urls: string[];
  pollMinutes: number;
  /** Fetch each item's page and keep its article text instead of the summary. */
  fetchArticles: boolean;
  /** Per request, feeds and article pages alike. */
  timeoutSeconds: number;
}

export interface DiscordConfig {
  token: string | null;
  devGuildId: string | null;
  answerChannelIds: string[];
  /** discord.js's `rest.api` base, e.g. http://127.0.0.1:PORT/api; null means Discord's own. */
  apiUrl: string | null;
  userCooldownSeconds: number;
  channelMessagesPerMinute: number;
  /** Run without the privileged Message Content intent: slash commands, mentions and DMs only. */
  slashOnly: boolean;
}

type Env = Record<string, string | undefined>;

/** Loads `.env` into process.env without overriding what is already set, and without printing. */
export function loadDotenv(path = '.env'): void {
  dotenv.config({ path, quiet: true });
}

const SNOWFLAKE = /^\d{17,20}$/;
const EMBEDDERS: EmbedderKind[] = ['auto', 'use', 'transformers'];

/** A reader that collects every problem instead of stopping at the first. */
class EnvReader {
  readonly problems: string[] = [];
  constructor(private readonly env: Env) {}

  string(name: string, fallback: string): string {
    return this.env[name]?.trim() || fallback;
  }

  optional(name: string): string | null {
    return this.env[name]?.trim() || null;
  }

  integer(name: string, fallback: number, min: number, max: number): number {
    const raw = this.optional(name);
    if (raw === null) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min || value > max) {
      this.problems.push(`${name}: "${raw}" is not a whole number from ${min} to ${max}.`);
      return fallback;
    }
    return value;
  }

  boolean(name: string, fallback: boolean): boolean {
    const raw = this.optional(name)?.toLowerCase();
    if (raw === undefined || raw === null) return fallback;
    if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
    if (['0', 'false', 'no', 'off'].includes(raw)) return false;
    this.problems.push(`${name}: "${raw}" is not true or false.`);
    return fallback;
  }

  oneOf<T extends string>(name: string, choices: readonly T[], fallback: T): T {
    const raw = this.optional(name);
    if (raw === null) return fallback;
    if ((choices as readonly string[]).includes(raw)) return raw as T;
    this.problems.push(`${name}: "${raw}" is not one of ${choices.join(', ')}.`);
    return fallback;
  }

  snowflakes(name: string): string[] {
    const ids = (this.optional(name) ?? '').split(',').map((s) => s.trim()).filter(Boolean);
    const bad = ids.filter((id) => !SNOWFLAKE.test(id));
    if (bad.length > 0) this.problems.push(`${name}: ${bad.map((b) => `"${b}"`).join(', ')} is not a Discord id (17 to 20 digits).`);
    return ids.filter((id) => SNOWFLAKE.test(id));
  }

  /** http(s) URLs separated by commas or newlines; every bad one is named. */
  urlList(name: string): string[] {
    const entries = (this.optional(name) ?? '').split(/[,\n]/).map((s) => s.trim()).filter(Boolean);
    const bad = entries.filter((entry) => !isHttpUrl(entry));
    if (bad.length > 0) this.problems.push(`${name}: ${bad.map((b) => `"${b}"`).join(', ')} is not an http(s) URL.`);
    return [...new Set(entries.filter(isHttpUrl))];
  }

  /** A postgres:// or postgresql:// connection string. */
  postgresUrl(name: string): string | null {
    const raw = this.optional(name);
    if (raw === null) return null;
    try {
      if (['postgres:', 'postgresql:'].includes(new URL(raw).protocol)) return raw;
    } catch {
      // reported below
    }
    this.problems.push(`${name}: is not a postgres:// URL such as postgres://newsdesk:PASSWORD@db.example.org:5432/newsdesk.`);
    return null;
  }

  /** SHARDS=auto|N, unless this is a shard process (see shardProcess). */
  shards(name: string): ShardCount | null {
    const raw = this.optional(name);
    if (raw === null) return null;
    if (raw.toLowerCase() === 'auto') return 'auto';
    const value = Number(raw);
    if (Number.isInteger(value) && value >= 1 && value <= MAX_SHARDS) return value;
    this.problems.push(`${name}: "${raw}" is not auto or a whole number from 1 to ${MAX_SHARDS}.`);
    return null;
  }

  url(name: string): string | null {
    const raw = this.optional(name);
    if (raw === null) return null;
    try {
      const url = new URL(raw);
      if (url.protocol === 'http:' || url.protocol === 'https:') return raw.replace(/\/+$/, '');
    } catch {
      // reported below
    }
    this.problems.push(`${name}: "${raw}" is not an http(s) URL such as http://127.0.0.1:8080/api.`);
    return null;
  }
}

function isHttpUrl(raw: string): boolean {
  try {
    const url = new URL(raw);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Reads and validates the whole configuration; throws CONFIG_INVALID listing every problem. */
export function loadConfig(env: Env = process.env): Config {
  const read = new EnvReader(env);
  const token = read.optional('DISCORD_TOKEN');
  if (token !== null && !/^[\w.-]{20,}$/.test(token)) {
    read.problems.push('DISCORD_TOKEN: this does not look like a bot token (copy it from the Bot page of your application).');
  }
  const config: Config = {
    corpusDir: resolve(read.string('CORPUS_DIR', 'corpus')),
    dataDir: resolve(read.string('DATA_DIR', 'data')),
    embedder: {
      kind: read.oneOf('EMBEDDER', EMBEDDERS, 'auto'),
      model: read.string('TRANSFORMERS_MODEL', 'Xenova/all-MiniLM-L6-v2'),
      modelsDir: resolve(read.string('MODELS_DIR', 'models')),
      allowRemote: read.boolean('ALLOW_REMOTE_MODELS', false),
      quantized: read.boolean('TRANSFORMERS_QUANTIZED', true),
      threads: read.integer('EMBED_THREADS', 1, 0, 64),
    },
    reindexThreads: read.integer('REINDEX_THREADS', Math.min(availableParallelism(), 64), 0, 64),
    chunking: {
      targetChars: read.integer('CHUNK_TARGET_CHARS', DEFAULT_CHUNKING.targetChars, 50, 10_000),
      overlapChars: read.integer('CHUNK_OVERLAP_CHARS', DEFAULT_CHUNKING.overlapChars, 0, 5_000),
    },
    answerK: read.integer('ANSWER_K', 3, 1, 10),
    discord: {
      token,
      devGuildId: read.snowflakes('DEV_GUILD_ID')[0] ?? null,
      answerChannelIds: read.snowflakes('ANSWER_CHANNEL_IDS'),
      apiUrl: read.url('DISCORD_API_URL'),
      userCooldownSeconds: read.integer('USER_COOLDOWN_SECONDS', 5, 0, 3600),
      channelMessagesPerMinute: read.integer('CHANNEL_RATE_LIMIT', 20, 0, 10_000),
      slashOnly: read.boolean('SLASH_ONLY', false),
    },
    feeds: {
      urls: read.urlList('FEEDS'),
      pollMinutes: read.integer('FEED_POLL_MINUTES', 30, 1, 10_080),
      fetchArticles: read.boolean('FETCH_ARTICLES', false),
      timeoutSeconds: read.integer('FEED_TIMEOUT_SECONDS', 30, 1, 300),
    },
    healthPort: read.optional('HEALTH_PORT') === null ? null : read.integer('HEALTH_PORT', 0, 1, 65_535),
    store: {
      kind: read.oneOf('STORE', ['embedded', 'postgres'] as const, 'embedded'),
      databaseUrl: read.postgresUrl('DATABASE_URL'),
      pollSeconds: read.integer('PG_POLL_SECONDS', 5, 1, 3600),
    },
    ...readSharding(read, env),
  };
  if (config.store.kind === 'postgres' && !config.store.databaseUrl && read.optional('DATABASE_URL') === null) {
    read.problems.push('DATABASE_URL: required with STORE=postgres (postgres://USER:PASSWORD@HOST:5432/DATABASE).');
  }
  // The sharding manager serves HEALTH_PORT for all its shards, which inherit its environment.
  if (config.shardProcess) config.healthPort = null;
  if (config.discord.slashOnly && config.discord.answerChannelIds.length > 0) {
    read.problems.push('ANSWER_CHANNEL_IDS: answer channels need the Message Content intent, which SLASH_ONLY=true turns off. Unset one of them.');
  }
  if (config.chunking.overlapChars >= config.chunking.targetChars) {
    read.problems.push('CHUNK_OVERLAP_CHARS: must be smaller than CHUNK_TARGET_CHARS.');
  }
  if (read.problems.length > 0) throw new NewsdeskError('CONFIG_INVALID', read.problems.map((p) => `- ${p}`).join('\n'));
  return config;
}

/** The database of STORE=postgres, or undefined for the embedded store. */
export function postgresStore(config: Pick<Config, 'store'>): { url: string; pollSeconds: number } | undefined {
  const { kind, databaseUrl, pollSeconds } = config.store;
  return kind === 'postgres' && databaseUrl ? { url: databaseUrl, pollSeconds } : undefined;
}

/** `{ postgres }` for options objects (watchIndex), empty for the embedded store. */
export function withPostgres(config: Pick<Config, 'store'>): { postgres?: { url: string; pollSeconds: number } } {
  const postgres = postgresStore(config);
  return postgres ? { postgres } : {};
}

/**
 * In a process the ShardingManager started, SHARDS and SHARD_COUNT are discord.js's own (this
 * shard's id and the total), not the operator's SHARDS=auto|N: such a process runs one shard.
 */
function readSharding(read: EnvReader, env: Env): Pick<Config, 'shards' | 'shardProcess'> {
  if (env.SHARDING_MANAGER !== 'true') return { shards: read.shards('SHARDS'), shardProcess: null };
  const id = Number(env.SHARDS);
  const count = Number(env.SHARD_COUNT);
  if (!Number.isInteger(id) || !Number.isInteger(count) || id < 0 || id >= count) {
    read.problems.push(`SHARDS: "${env.SHARDS ?? ''}" of SHARD_COUNT "${env.SHARD_COUNT ?? ''}" is not a shard this process can run (set by the sharding manager; do not set SHARDING_MANAGER yourself).`);
    return { shards: null, shardProcess: null };
  }
  return { shards: null, shardProcess: { id, count } };
}

/** The bot additionally needs a token. */
export function requireToken(config: Config): string {
  if (config.discord.token) return config.discord.token;
  throw new NewsdeskError('CONFIG_INVALID', '- DISCORD_TOKEN: required to run the bot. Put your bot token in .env.');
}
