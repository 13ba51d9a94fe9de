/**
 * `npm start` as a supervisor runs it: the compiled bot (node dist/src/cli/start.js), directly or
 * under npm, against the fake Discord, with a real engine over the seed corpus. Signals to the
 * process group, to npm and to node each let 20 answers in flight finish; stray errors and a
 * payload discord.js cannot parse do not take the process down.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commandData } from '../../src/bot/commands/index.js';
import { startFakeDiscord, type FakeDiscord, type Json } from '../support/fake-discord.js';
import { ROOT } from '../support/run-cli.js';
import { seedEngine, seedWorkspace, type SeedWorkspace } from '../support/seed.js';

const QUESTION = 'What is the Zangezur corridor?';
let ws: SeedWorkspace;

beforeAll(async () => {
  // What `npm start` runs is the build; prestart would do this too (idempotent, incremental).
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  expect(build.status, build.stdout + build.stderr).toBe(0);
  ws = await seedWorkspace();
  await (await seedEngine(ws)).close();
});

afterAll(async () => {
  await ws?.cleanup();
});

interface Running {
  child: ChildProcess;
  /** stderr so far: the bot's JSON log lines. */
  stderr(): string;
  events(): Json[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The pid of the bot itself (from its ready line), whatever sits above it. */
  botPid: number;
}

function envFor(fake: FakeDiscord, extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DISCORD_TOKEN: fake.token,
    DISCORD_API_URL: fake.apiUrl,
    CORPUS_DIR: ws.corpusDir,
    DATA_DIR: ws.dataDir,
    MODELS_DIR: join(ws.root, 'models'),
    EMBEDDER: 'use',
    ALLOW_REMOTE_MODELS: 'false',
    USER_COOLDOWN_SECONDS: '0',
    CHANNEL_RATE_LIMIT: '0',
    ...extra,
  };
}

function parseEvents(stderr: string): Json[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Json);
}

/** Starts the bot the way an operator would, in its own process group (as systemd does). */
async function start(how: 'node' | 'npm', fake: FakeDiscord, env: Record<string, string> = {}): Promise<Running> {
  const [command, args] = how === 'node' ? [process.execPath, ['dist/src/cli/start.js']] : ['npm', ['start', '--silent']];
  const child = spawn(command, args as string[], { cwd: ROOT, env: envFor(fake, env), stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.on('exit', (code, signal) => done({ code, signal })),
  );
  await vi.waitFor(() => expect(stderr).toContain('"event":"ready"'), { timeout: 60_000, interval: 50 });
  const ready = parseEvents(stderr).find((e) => e.event === 'ready')!;
  return { child, stderr: () => stderr, events: () => parseEvents(stderr), exited, botPid: ready.pid as number };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function withFake(run: (fake: FakeDiscord) => Promise<void>): Promise<void> {
  const fake = await startFakeDiscord();
  fake.commands.guild.set(fake.guildId, commandData().map((c) => ({ ...c, id: fake.snowflake(), guild_id: fake.guildId })));
  try {
    await run(fake);
  } finally {
    await fake.close();
  }
}

/**
 * 20 people ask at once; each answer's edit reaches Discord but its response is held for 1.5 s,
 * so all 20 are in flight when this returns. Returns the check that all 20 were delivered.
 */
async function twentyInFlight(fake: FakeDiscord): Promise<() => void> {
  fake.delayResponses({ method: 'PATCH', path: /\/messages\/@original$/ }, 1500);
  const asks = Array.from({ length: 20 }, () => fake.slashCommand('ask', { question: QUESTION }, { user: fake.addUser() }));
  await Promise.all(asks.map((i) => i.waitForCallback(30_000)));
  return () => {
    for (const ask of asks) {
      const edits = fake.findCalls({ method: 'PATCH', path: ask.originalPath });
      expect(edits.map((e) => [e.status, e.body.embeds?.[0]?.title])).toEqual([[200, QUESTION]]);
    }
  };
}

function expectDrained(running: Running, drained: number): void {
  expect(running.events().find((e) => e.event === 'stopped')).toMatchObject({ drained, abandoned: 0 });
}

describe('npm start under a supervisor', () => {
  it('node directly: survives a payload discord.js cannot parse, reloads on SIGHUP, and on SIGTERM answers all 20 in flight, then exits 0', async () => {
    await withFake(async (fake) => {
      const healthPort = await freePort();
      const bot = await start('node', fake, { HEALTH_PORT: String(healthPort) });
      try {
        const health = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
        expect(health.status).toBe(200);
        expect(await health.json()).toEqual({ ok: true, gateway: 'connected', index: { builtAt: expect.any(String), documents: 81 } });

        // A button on a message whose interaction_metadata lacks authorizing_integration_owners:
        // discord.js throws a TypeError building it, as a rejection no code of ours can catch.
        fake.button('ask:more:AAAAAAAA:0', {
          id: fake.snowflake(),
          channel_id: fake.channelId,
          author: fake.botUser,
          content: 'answer',
          timestamp: new Date().toISOString(),
          edited_timestamp: null,
          tts: false,
          mention_everyone: false,
          mentions: [],
          mention_roles: [],
          attachments: [],
          embeds: [],
          pinned: false,
          type: 0,
          interaction_metadata: { id: fake.snowflake(), type: 2, user: fake.user },
        });
        await vi.waitFor(() => expect(bot.events().some((e) => e.where === 'unhandledRejection')).toBe(true), { timeout: 10_000 });
        expect(bot.events().find((e) => e.where === 'unhandledRejection')!.error).toMatch(/^TypeError/);

        process.kill(bot.botPid, 'SIGHUP');
        await vi.waitFor(() => expect(bot.events().find((e) => e.signal === 'SIGHUP')).toEqual(expect.objectContaining({ event: 'reload', changed: false })), { timeout: 10_000 });

        const delivered = await twentyInFlight(fake);
        process.kill(bot.botPid, 'SIGTERM');
        expect(await bot.exited).toEqual({ code: 0, signal: null });
        delivered();
        expectDrained(bot, 20);
        expect(bot.stderr()).not.toContain(fake.token);
      } finally {
        if (alive(bot.botPid)) process.kill(bot.botPid, 'SIGKILL');
      }
    });
  });

  it('npm start, SIGTERM to the process group (systemd, Ctrl-C): the signal arrives twice, all 20 in flight are answered, both exit 0', async () => {
    await withFake(async (fake) => {
      const npm = await start('npm', fake);
      try {
        expect(npm.botPid).not.toBe(npm.child.pid);
        const delivered = await twentyInFlight(fake);
        process.kill(-npm.child.pid!, 'SIGTERM');
        expect(await npm.exited).toEqual({ code: 0, signal: null });
        expect(alive(npm.botPid)).toBe(false);
        delivered();
        expectDrained(npm, 20);
        expect(npm.events().filter((e) => e.event === 'shutdown' && e.forced)).toEqual([]);
      } finally {
        if (alive(npm.botPid)) process.kill(npm.botPid, 'SIGKILL');
      }
    });
  });

  it("npm start, SIGTERM to npm's pid (docker stop with CMD npm start): npm relays it, all 20 are answered, exit 0", async () => {
    await withFake(async (fake) => {
      const npm = await start('npm', fake);
      try {
        const delivered = await twentyInFlight(fake);
        process.kill(npm.child.pid!, 'SIGTERM');
        expect(await npm.exited).toEqual({ code: 0, signal: null });
        expect(alive(npm.botPid)).toBe(false);
        delivered();
        expectDrained(npm, 20);
      } finally {
        if (alive(npm.botPid)) process.kill(npm.botPid, 'SIGKILL');
      }
    });
  });

  it("npm start, SIGHUP to npm's pid: npm dies (it relays only INT and TERM); the bot is not orphaned but answers all 20 and exits", async () => {
    await withFake(async (fake) => {
      const npm = await start('npm', fake);
      try {
        const delivered = await twentyInFlight(fake);
        process.kill(npm.child.pid!, 'SIGHUP');
        expect((await npm.exited).signal).toBe('SIGHUP');
        await vi.waitFor(() => expect(alive(npm.botPid)).toBe(false), { timeout: 15_000, interval: 100 });
        delivered();
        expectDrained(npm, 20);
        expect(npm.events().find((e) => e.event === 'shutdown')!.reason).toMatch(/^parent process \d+ \(npm\) exited$/);
      } finally {
        if (alive(npm.botPid)) process.kill(npm.botPid, 'SIGKILL');
      }
    });
  });

  it('Discord closing the gateway with 4004 while running (token reset): one fatal line saying what to fix, exit 78', async () => {
    await withFake(async (fake) => {
      const bot = await start('node', fake);
      try {
        fake.dropConnection(4004);
        expect(await bot.exited).toEqual({ code: 78, signal: null });
        expect(bot.events().filter((e) => e.event === 'fatal')).toEqual([
          {
            time: expect.any(String),
            event: 'fatal',
            code: 'CONFIG_INVALID',
            error: 'DISCORD_TOKEN: Discord rejected this token. On the Bot page of your application, reset the token and copy the new one into .env.',
          },
        ]);
      } finally {
        if (alive(bot.botPid)) process.kill(bot.botPid, 'SIGKILL');
      }
    });
  });
});
