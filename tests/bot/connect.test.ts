/**
 * Reaching Discord: backoff with jitter while it can't be reached, counted on a virtual clock
 * (the injected sleep), and the gateway closes it never recovers from. The real discord.js client
 * against the fake Discord, or against a loopback port nobody listens on.
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startBot, type Bot } from '../../src/bot/bot.js';
import { backoffDelay, networkErrorCode } from '../../src/bot/connect.js';
import { loadConfig } from '../../src/config.js';
import type { NewsdeskError } from '../../src/errors.js';
import type { Engine } from '../../src/index/types.js';
import { startFakeDiscord, type FakeDiscord, type Json } from '../support/fake-discord.js';

/** startBot never asks the engine anything until a question arrives. */
const NO_ENGINE = {} as Engine;
const WINDOW_MS = 20_000;

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * A virtual clock: each wait the bot asks for advances it at once; the first wait that would
 * end past the window never ends, so the attempts in the window can be counted exactly.
 */
function virtualClock() {
  let now = 0;
  const waits: number[] = [];
  let windowOver!: () => void;
  const over = new Promise<void>((resolve) => (windowOver = resolve));
  const sleep = (ms: number) => {
    waits.push(ms);
    if (now + ms >= WINDOW_MS) {
      windowOver();
      return new Promise<void>(() => {});
    }
    now += ms;
    return new Promise<void>((resolve) => setImmediate(resolve));
  };
  // Attempts in the window: the first, plus one after each wait that ended inside it.
  return { sleep, waits, over, attempts: () => waits.length };
}

let fake: FakeDiscord | null = null;
let bot: Bot | null = null;

afterEach(async () => {
  await bot?.stop();
  bot = null;
  await fake?.close();
  fake = null;
});

function configFor(apiUrl: string, token: string) {
  return loadConfig({ DISCORD_TOKEN: token, DISCORD_API_URL: apiUrl, USER_COOLDOWN_SECONDS: '0' });
}

describe('backoffDelay', () => {
  it('doubles from 1 s up to 60 s, with jitter between half and all of it', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, { random: () => 0 }))).toEqual([500, 1000, 2000, 4000, 8000, 16000, 30000, 30000]);
    expect([1, 2, 7, 20].map((n) => backoffDelay(n, { random: () => 0.999999 }))).toEqual([1000, 2000, 60000, 60000]);
  });

  it('recognises a connection that never happened, however deep the cause', () => {
    expect(networkErrorCode(Object.assign(new Error('getaddrinfo ENOTFOUND discord.com'), { code: 'ENOTFOUND' }))).toBe('ENOTFOUND');
    expect(networkErrorCode(new TypeError('fetch failed', { cause: Object.assign(new Error('x'), { code: 'ECONNREFUSED' }) }))).toBe('ECONNREFUSED');
    expect(networkErrorCode(Object.assign(new Error('Unauthorized'), { status: 401 }))).toBeNull();
  });
});

describe('Discord unreachable', () => {
  it('the gateway refusing connections is retried 5 times in 20 s (was 39), each wait logged in plain words', async () => {
    fake = await startFakeDiscord();
    const port = await closedPort();
    // REST works; the gateway URL it hands out leads nowhere.
    fake.failNext({ route: '/gateway/bot' }, {
      status: 200,
      body: { url: `ws://127.0.0.1:${port}`, shards: 1, session_start_limit: { total: 1000, remaining: 999, reset_after: 14_400_000, max_concurrency: 1 } },
    }, 5);
    const clock = virtualClock();
    const logs: string[] = [];
    const aborted = new AbortController();
    const starting = startBot({
      config: configFor(fake.apiUrl, fake.token),
      engine: NO_ENGINE,
      log: (l) => logs.push(l),
      watchIndex: false,
      signal: aborted.signal,
      backoff: { random: () => 0.5, sleep: clock.sleep },
    });
    starting.catch(() => {});
    await clock.over;
    expect(clock.waits).toEqual([750, 1500, 3000, 6000, 12000]);
    expect(clock.attempts()).toBe(5);
    const unreachable = logs.map((l) => JSON.parse(l) as Json).filter((l) => l.event === 'unreachable');
    expect(unreachable.map((l) => [l.what, l.attempt, l.retryInMs])).toEqual([
      ['gateway', 1, 750], ['gateway', 2, 1500], ['gateway', 3, 3000], ['gateway', 4, 6000], ['gateway', 5, 12000],
    ]);
    expect(unreachable[0]!.message).toBe("Discord's gateway can't be reached; retrying in 0.8 s.");
    aborted.abort();
    await expect(starting).rejects.toMatchObject({ name: 'AbortError' });
  });

  it("the API unreachable at start-up (no network) says so plainly and retries with backoff instead of exiting", async () => {
    const port = await closedPort();
    const apiUrl = `http://127.0.0.1:${port}/api`;
    const clock = virtualClock();
    const logs: string[] = [];
    const aborted = new AbortController();
    const starting = startBot({
      config: configFor(apiUrl, 'x'.repeat(30)),
      engine: NO_ENGINE,
      log: (l) => logs.push(l),
      watchIndex: false,
      signal: aborted.signal,
      backoff: { random: () => 0.5, sleep: clock.sleep },
    });
    starting.catch(() => {});
    await clock.over;
    expect(clock.waits).toEqual([750, 1500, 3000, 6000, 12000]);
    const unreachable = logs.map((l) => JSON.parse(l) as Json).filter((l) => l.event === 'unreachable');
    expect(unreachable).toHaveLength(5);
    expect(unreachable[1]).toMatchObject({
      what: 'api',
      attempt: 2,
      message: `Discord can't be reached at ${apiUrl} (ECONNREFUSED); retrying in 1.5 s. Check this machine's network and DNS.`,
    });
    aborted.abort();
    await expect(starting).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('5xx from the API at start-up is waited out with the same backoff, then the bot logs in', async () => {
    fake = await startFakeDiscord();
    // discord.js itself tries each request 4 times on 5xx: two of our attempts fail.
    fake.failNext({ method: 'GET', route: '/gateway/bot' }, { status: 503, message: 'upstream connect error' }, 8);
    const clock = virtualClock();
    const logs: string[] = [];
    bot = await startBot({ config: configFor(fake.apiUrl, fake.token), engine: NO_ENGINE, log: (l) => logs.push(l), watchIndex: false, backoff: { random: () => 0.5, sleep: clock.sleep } });
    expect(clock.waits).toEqual([750, 1500]);
    expect(logs.map((l) => JSON.parse(l) as Json).filter((l) => l.event === 'unreachable').map((l) => l.message)).toEqual([
      `Discord can't be reached at ${fake.apiUrl} (HTTP 503); retrying in 0.8 s. Check this machine's network and DNS.`,
      `Discord can't be reached at ${fake.apiUrl} (HTTP 503); retrying in 1.5 s. Check this machine's network and DNS.`,
    ]);
    expect(bot.connected()).toBe(true);
  });

  it('after a drop, the bot reconnects at once and resumes; the backoff starts only if that fails', async () => {
    fake = await startFakeDiscord();
    const clock = virtualClock();
    bot = await startBot({ config: configFor(fake.apiUrl, fake.token), engine: NO_ENGINE, log: () => {}, watchIndex: false, backoff: { sleep: clock.sleep } });
    expect(bot.connected()).toBe(true);
    fake.dropConnection(4000);
    await vi.waitFor(() => expect(fake!.dispatched.some((d) => d.t === 'RESUMED')).toBe(true), { timeout: 10_000 });
    await vi.waitFor(() => expect(bot!.connected()).toBe(true));
    expect(clock.waits).toEqual([]);
  });
});

describe('gateway closes Discord never recovers from, while running', () => {
  it.each([
    [4004, 'DISCORD_TOKEN: Discord rejected this token. On the Bot page of your application, reset the token and copy the new one into .env.'],
    [4014, 'turn on "Message Content Intent" under Privileged Gateway Intents, or set SLASH_ONLY=true to run without it.'],
  ])('close %i reaches onFatal with CONFIG_INVALID saying what to fix', async (code, fix) => {
    fake = await startFakeDiscord();
    const fatal = vi.fn<(error: NewsdeskError) => void>();
    bot = await startBot({ config: configFor(fake.apiUrl, fake.token), engine: NO_ENGINE, log: () => {}, watchIndex: false, onFatal: fatal });
    fake.dropConnection(code);
    await vi.waitFor(() => expect(fatal).toHaveBeenCalledTimes(1));
    expect(fatal.mock.calls[0]![0]).toMatchObject({ code: 'CONFIG_INVALID', detail: expect.stringContaining(fix) });
    expect(bot.connected()).toBe(false);
  });
});
