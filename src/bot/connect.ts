/**
 * Connecting to Discord. While it can't be reached: exponential backoff with jitter for the REST
 * call that starts a login and for every gateway (re)connection, each wait logged in plain words
 * (discord.js alone retries the gateway every 500 ms, for ever, and fails a login at the first
 * DNS or connection error). When Discord refuses (a bad token, a disallowed intent): an error
 * that says what to fix.
 */
import { Events, Routes, type Client } from 'discord.js';
import { NewsdeskError } from '../errors.js';
import {
  SimpleShardingStrategy,
  WebSocketShardEvents,
  type WebSocketManager,
  type WebSocketShard,
  type WebSocketShardDestroyOptions,
} from '@discordjs/ws';

export interface BackoffOptions {
  /** The first retry waits about this long (default 1000 ms); each further one twice as long… */
  baseMs?: number;
  /** …up to this (default 60 s). */
  maxMs?: number;
  /** In [0, 1): the jitter (tests pass a constant). */
  random?: () => number;
  /** Waits; tests pass one that advances a virtual clock instead. */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * The wait before retry number `attempt` (1, 2, …): "equal jitter", half of the exponential
 * ceiling plus a random part of the other half, so a fleet of bots does not retry in step.
 */
export function backoffDelay(attempt: number, options: Pick<BackoffOptions, 'baseMs' | 'maxMs' | 'random'> = {}): number {
  const base = options.baseMs ?? 1000;
  const max = options.maxMs ?? 60_000;
  const random = options.random ?? Math.random;
  const ceiling = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

const NETWORK_CODES = /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EPIPE|UND_ERR)/;

/** The system or undici error code when `error` means "could not reach the server", else null. */
export function networkErrorCode(error: unknown): string | null {
  for (let e = error as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 4; e = e.cause as typeof e, depth++) {
    if (typeof e.code === 'string' && NETWORK_CODES.test(e.code)) return e.code;
  }
  const message = (error as Error)?.message ?? '';
  return /^(fetch failed|Connect Timeout Error|other side closed)/i.test(message) ? 'network error' : null;
}

/** Counts failed attempts in a row and waits the backoff before the next one. */
export class Retrier {
  private failures = 0;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly options: BackoffOptions,
    private readonly onWait: (attempt: number, delayMs: number) => void,
  ) {
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Before an attempt: immediate the first time, then the backoff, longer each time. */
  async beforeAttempt(): Promise<void> {
    const attempt = this.failures;
    this.failures += 1;
    if (attempt === 0) return;
    const delay = backoffDelay(attempt, this.options);
    this.onWait(attempt, delay);
    await this.sleep(delay);
  }

  /** A connection succeeded: the next failure starts from the shortest wait again. */
  reset(): void {
    this.failures = 0;
  }
}

type Connectable = { internalConnect(): Promise<void> };

/**
 * @discordjs/ws's SimpleShardingStrategy, except that each shard waits for the retrier before
 * every (re)connection, and the retrier is reset once the shard is ready or has resumed. Pass as
 * `ws.buildStrategy` of the discord.js Client. It reaches two private members (the shards, and
 * each shard's internalConnect, which every connection attempt goes through): tests/bot/connect
 * fails if a discord.js update moves them.
 */
export class BackoffShardingStrategy extends SimpleShardingStrategy {
  private stopped = false;

  constructor(
    manager: WebSocketManager,
    private readonly retrier: Retrier,
  ) {
    super(manager);
  }

  override async spawn(shardIds: number[]): Promise<void> {
    await super.spawn(shardIds);
    for (const shard of (this as unknown as { shards: Map<number, WebSocketShard> }).shards.values()) {
      shard.on(WebSocketShardEvents.Ready, () => this.retrier.reset());
      shard.on(WebSocketShardEvents.Resumed, () => this.retrier.reset());
      this.delayConnects(shard as unknown as Connectable);
    }
  }

  private delayConnects(shard: Connectable): void {
    const connect = shard.internalConnect.bind(shard);
    shard.internalConnect = async () => {
      await this.retrier.beforeAttempt();
      // destroy() during the wait finds an idle shard and returns: do not connect after it.
      if (!this.stopped) await connect();
    };
  }

  override async connect(): Promise<void> {
    this.stopped = false;
    await super.connect();
  }

  override async destroy(options?: Omit<WebSocketShardDestroyOptions, 'recover'>): Promise<void> {
    this.stopped = true;
    await super.destroy(options);
  }
}

export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export interface ReachOptions {
  backoff: BackoffOptions;
  signal: AbortSignal | undefined;
  onUnreachable: (code: string, attempt: number, delayMs: number) => void;
}

/**
 * Waits until Discord's API answers, retrying with backoff while it can't be reached (no network,
 * DNS down) or answers 5xx. A discord.js Client cannot log in again once a login failed, so this
 * asks first: GET /gateway/bot, the call login starts with, and returns its answer (the sharding
 * manager reads the recommended shard count from it). Another error (401) is thrown.
 */
export async function waitForApi(client: Pick<Client, 'rest'>, token: string, options: ReachOptions): Promise<unknown> {
  let lastCode = '';
  const retrier = new Retrier(options.backoff, (attempt, delayMs) => options.onUnreachable(lastCode, attempt, delayMs));
  client.rest.setToken(token);
  for (;;) {
    await abortable(retrier.beforeAttempt(), options.signal);
    try {
      return await abortable(client.rest.get(Routes.gatewayBot()), options.signal);
    } catch (error) {
      const status = (error as { status?: unknown })?.status;
      const code = typeof status === 'number' && status >= 500 ? `HTTP ${status}` : networkErrorCode(error);
      if (code === null || options.signal?.aborted) throw error;
      lastCode = code;
    }
  }
}

/** `promise`, or an AbortError as soon as `signal` aborts. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  signal.throwIfAborted();
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Logs in and waits for READY, failing fast when Discord closes the gateway for good. */
export async function login(client: Client, token: string, timeoutMs: number | undefined, signal: AbortSignal | undefined): Promise<void> {
  let onDisconnect: ((event: { code: number }) => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    client.once(Events.ClientReady, () => resolve());
    onDisconnect = (event) => reject(new GatewayClosed(event.code));
    client.once(Events.ShardDisconnect, onDisconnect);
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => reject(new Error(`Discord did not send READY within ${timeoutMs / 1000} s.`)), timeoutMs);
    }
  });
  ready.catch(() => {});
  const loggingIn = client.login(token);
  loggingIn.catch(() => {});
  try {
    // Whichever settles first: login failing, or READY / an unrecoverable close while connecting.
    await abortable(Promise.race([loggingIn.then(() => ready), ready]), signal);
  } finally {
    clearTimeout(timer);
    if (onDisconnect) client.off(Events.ShardDisconnect, onDisconnect);
  }
}

export class GatewayClosed extends Error {
  constructor(readonly closeCode: number) {
    super(`Discord closed the gateway connection (code ${closeCode}).`);
  }
}

/** Login failures an operator can fix, and gateway closes Discord never recovers from, said plainly. */
export function discordRefusal(error: unknown): unknown {
  const code = (error as { code?: unknown })?.code;
  const status = (error as { status?: unknown })?.status;
  if (code === 'TokenInvalid' || status === 401 || (error instanceof GatewayClosed && error.closeCode === 4004)) {
    return new NewsdeskError(
      'CONFIG_INVALID',
      '- DISCORD_TOKEN: Discord rejected this token. On the Bot page of your application, reset the token and copy the new one into .env.',
      { cause: error },
    );
  }
  if (error instanceof GatewayClosed && (error.closeCode === 4014 || error.closeCode === 4013)) {
    return new NewsdeskError(
      'CONFIG_INVALID',
      '- Discord refused the Message Content intent. In the Developer Portal, open your application, Bot page, and turn on "Message Content Intent" under Privileged Gateway Intents, or set SLASH_ONLY=true to run without it.',
      { cause: error },
    );
  }
  if (error instanceof GatewayClosed) {
    return new NewsdeskError(
      'CONFIG_INVALID',
      `- Discord closed the gateway for good (code ${error.closeCode}); the bot cannot reconnect. Update discord.js (npm install) and start again.`,
      { cause: error },
    );
  }
  return error;
}
