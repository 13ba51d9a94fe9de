/**
 * The HTTP layer under discord.js's REST client, with one addition: requests that fail with a
 * transient network error (a keep-alive socket the other side closed, a reset, a timeout while
 * connecting) are sent again with backoff. discord.js itself only retries ECONNRESET, at once, so
 * a dropped socket (undici's UND_ERR_SOCKET) lost a finished answer. Sending again is safe here:
 * edits are idempotent, channel messages carry an enforced nonce, and a repeated interaction
 * callback answers 40060, which delivery.ts treats as done.
 */
import { DefaultRestOptions } from 'discord.js';
import type { LogFields } from './context.js';

type MakeRequest = typeof DefaultRestOptions.makeRequest;

const TRANSIENT_CODES = new Set([
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'EAI_AGAIN',
]);

/** Whether an error (or one of its causes) is a network failure worth another try. */
export function isTransientNetworkError(error: unknown): boolean {
  for (let e = error, depth = 0; e && typeof e === 'object' && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  }
  return false;
}

export interface RetryOptions {
  log: (fields: LogFields) => void;
  /** Further attempts after the first (default 4). */
  retries?: number;
  /** The first backoff; each next one doubles, with jitter (default 100 ms). */
  baseDelayMs?: number;
}

/** Backoff before retry `n` (0-based): base·2^n, jittered to 50–100% so retries don't align. */
export function backoffMs(n: number, baseDelayMs: number, random: () => number = Math.random): number {
  return Math.round(baseDelayMs * 2 ** n * (0.5 + random() / 2));
}

/** `makeRequest` that retries transient network errors with backoff; pass as `rest.makeRequest`. */
export function retryingRequest(options: RetryOptions, base: MakeRequest = DefaultRestOptions.makeRequest): MakeRequest {
  const retries = options.retries ?? 4;
  const baseDelayMs = options.baseDelayMs ?? 100;
  return async (url, init) => {
    for (let attempt = 0; ; attempt++) {
      try {
        return await base(url, init);
      } catch (error) {
        const signal = init.signal as AbortSignal | null | undefined;
        if (attempt >= retries || !isTransientNetworkError(error) || signal?.aborted) throw error;
        const delay = backoffMs(attempt, baseDelayMs);
        options.log({ event: 'retry', method: init.method ?? 'GET', path: new URL(url).pathname, attempt: attempt + 1, delayMs: delay, error: codeOf(error) });
        await sleep(delay, signal ?? undefined);
      }
    }
  };
}

function codeOf(error: unknown): string {
  return String((error as { code?: unknown }).code ?? (error as Error).name ?? error);
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
