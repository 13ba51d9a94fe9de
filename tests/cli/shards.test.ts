/**
 * SHARDS=auto: the compiled `npm start` process (node dist/src/cli/start.js) runs discord.js's
 * ShardingManager against the fake Discord, which recommends 2 shards. Real child processes, each
 * a bot with a real engine over the seed corpus built once beforehand.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { commandData } from '../../src/bot/commands/index.js';
import { Intent, startFakeDiscord, type FakeDiscord, type Json } from '../support/fake-discord.js';
import { ROOT } from '../support/run-cli.js';
import { runShardManager } from '../../src/cli/shard-manager.js';
import { loadConfig } from '../../src/config.js';
import type { Engine } from '../../src/index/types.js';
import { seedEngine, seedWorkspace, type SeedWorkspace } from '../support/seed.js';

const QUESTION = 'What is the Zangezur corridor?';
let ws: SeedWorkspace;
/** The engine that built the index; its re-index writes the build the shards' watchers pick up. */
let engine: Engine;

beforeAll(async () => {
  const build = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-b', 'tsconfig.build.json'], { cwd: ROOT, encoding: 'utf8' });
  expect(build.status, build.stdout + build.stderr).toBe(0);
  ws = await seedWorkspace();
  engine = await seedEngine(ws);
});

afterAll(async () => {
  await engine?.close();
  await ws?.cleanup();
});

function parseEvents(stderr: string): Json[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => {
      const { time: _time, ...event } = JSON.parse(line) as Json;
      return event;
    });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Manager {
  child: ChildProcess;
  stderr(): string;
  events(): Json[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startManager(fake: FakeDiscord, env: Record<string, string>): Manager {
  const child = spawn(process.execPath, ['dist/src/cli/start.js'], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DISCORD_TOKEN: fake.token,
      DISCORD_API_URL: fake.apiUrl,
      CORPUS_DIR: ws.corpusDir,
      DATA_DIR: ws.dataDir,
      MODELS_DIR: join(ws.root, 'models'),
      EMBEDDER: 'use',
      USER_COOLDOWN_SECONDS: '0',
      // Embedding on the main thread: one model per shard process instead of two, a faster start.
      EMBED_THREADS: '0',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.resume();
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) => child.on('exit', (code, signal) => done({ code, signal })));
  return { child, stderr: () => stderr, events: () => parseEvents(stderr), exited };
}

/** The /about fields a shard answered with. */
async function aboutFrom(fake: FakeDiscord, guildId?: string): Promise<Record<string, string>> {
  const callback = await fake.slashCommand('about', {}, guildId ? { guildId } : {}).waitForCallback(10_000);
  return Object.fromEntries((callback.body.data.embeds[0].fields as Json[]).map((f) => [f.name, f.value]));
}

describe('SHARDS=auto under the sharding manager', () => {
  it('starts the 2 shards Discord recommends, each identifies with [id, 2] and answers its own guilds; a killed shard is respawned; SIGTERM stops all after their answers in flight, exit 0', async () => {
    const fake = await startFakeDiscord({ recommendedShards: 2, maxConcurrency: 16 });
    const second = fake.addGuild({ onShard: [1, 2] });
    fake.commands.global.push(...commandData().map((c) => ({ ...c, id: fake.snowflake() })));
    const healthPort = await freePort();
    const manager = startManager(fake, { SHARDS: 'auto', HEALTH_PORT: String(healthPort) });
    const shardPids = () => manager.events().filter((e) => e.event === 'shard-spawn').map((e) => e.pid as number);
    try {
      await vi.waitFor(() => expect(manager.events().some((e) => e.event === 'shards-ready')).toBe(true), { timeout: 90_000, interval: 100 });
      expect(manager.events().find((e) => e.event === 'shards')).toEqual({
        event: 'shards', count: 2, setting: 'auto', recommended: 2, maxConcurrency: 16, spawnDelayMs: 344, pid: manager.child.pid,
      });
      expect(fake.gatewayFrames.filter((f) => f.op === 2).map((f) => f.d.shard)).toEqual([[0, 2], [1, 2]]);

      const health = await fetch(`http://127.0.0.1:${healthPort}/healthz`);
      expect([health.status, await health.json()]).toEqual([
        200,
        { ok: true, count: 2, shards: [{ id: 0, pid: shardPids()[0], ready: true }, { id: 1, pid: shardPids()[1], ready: true }] },
      ]);

      // Each guild's interaction reaches its own shard, which answers; servers are summed over both.
      expect(await aboutFrom(fake)).toMatchObject({ Servers: '2', Shard: '0 (of 2)', Documents: '81' });
      expect(await aboutFrom(fake, second.guildId)).toMatchObject({ Servers: '2', Shard: '1 (of 2)', Documents: '81' });

      // A new build in the shared DATA_DIR: each shard's own watcher loads it.
      await writeFile(join(ws.corpusDir, 'extra.md'), '---\ntitle: Harbour reopens\noutlet: Coast Daily\ndate: 2025-04-02\n---\nThe harbour reopened on Tuesday after repairs.\n');
      await engine.reindex();
      await vi.waitFor(() => expect(manager.events().filter((e) => e.event === 'reload' && e.ok).map((e) => e.shard).sort()).toEqual([0, 1]), { timeout: 20_000, interval: 100 });
      expect(await aboutFrom(fake)).toMatchObject({ Documents: '82' });
      expect(await aboutFrom(fake, second.guildId)).toMatchObject({ Documents: '82' });
      // A shard that dies is started again, and answers again.
      const [pid0, pid1] = shardPids() as [number, number];
      process.kill(pid1, 'SIGKILL');
      await vi.waitFor(() => expect(manager.events().filter((e) => e.event === 'shard-ready').map((e) => e.shard)).toEqual([0, 1, 1]), { timeout: 60_000, interval: 100 });
      expect(manager.events().find((e) => e.event === 'shard-exit')).toEqual({ event: 'shard-exit', shard: 1, pid: pid1, code: null, signal: 'SIGKILL', respawn: true });
      const pid1b = shardPids()[2]!;
      expect(await aboutFrom(fake, second.guildId)).toMatchObject({ Servers: '2', Shard: '1 (of 2)' });

      // SIGTERM to the manager while each shard has an answer in flight (its edit held 1.5 s).
      fake.delayResponses({ method: 'PATCH', path: /\/messages\/@original$/ }, 1500);
      const asks = [fake.slashCommand('ask', { question: QUESTION }), fake.slashCommand('ask', { question: QUESTION }, { guildId: second.guildId })];
      await Promise.all(asks.map((ask) => ask.waitForCallback(10_000)));
      process.kill(manager.child.pid!, 'SIGTERM');
      expect(await manager.exited).toEqual({ code: 0, signal: null });
      expect([pid0, pid1b].map(alive)).toEqual([false, false]);
      for (const ask of asks) {
        expect(fake.findCalls({ method: 'PATCH', path: ask.originalPath }).map((e) => [e.status, e.body.embeds?.[0]?.title])).toEqual([[200, QUESTION]]);
      }
      const events = manager.events();
      expect(events.filter((e) => e.event === 'stopped' && 'drained' in e).sort((a, b) => a.shard - b.shard)).toEqual([
        { shard: 0, event: 'stopped', drained: 1, abandoned: 0 },
        { shard: 1, event: 'stopped', drained: 1, abandoned: 0 },
      ]);
      const exits = events.filter((e) => e.event === 'shard-exit').map((e) => `${e.shard}:${e.code}:${e.respawn}`);
      expect([exits[0], ...exits.slice(1).sort()]).toEqual(['1:null:true', '0:0:false', '1:0:false']);
      expect(events.at(-1)).toEqual({ event: 'stopped', shards: 2 });
      expect(manager.stderr()).not.toContain(fake.token);
    } finally {
      if (process.env.DEBUG_SHARDS) console.log(manager.stderr());
      for (const pid of [manager.child.pid!, ...shardPids()]) if (alive(pid)) process.kill(pid, 'SIGKILL');
      await fake.close();
    }
  }, 180_000);

  it('a shard Discord refuses for good (intent not enabled, 4014) stops the manager with 78 instead of respawning it in a loop', async () => {
    const fake = await startFakeDiscord({ recommendedShards: 2, maxConcurrency: 16, disallowedIntents: Intent.MessageContent });
    const manager = startManager(fake, { SHARDS: 'auto' });
    const shardPids = () => manager.events().filter((e) => e.event === 'shard-spawn').map((e) => e.pid as number);
    try {
      expect(await manager.exited).toEqual({ code: 78, signal: null });
      const events = manager.events();
      expect(events.find((e) => e.event === 'fatal' && e.code === 'CONFIG_INVALID' && String(e.error).startsWith('Discord refused the Message Content intent'))).toBeDefined();
      expect(events.find((e) => e.event === 'shard-exit')).toMatchObject({ shard: 0, code: 78, respawn: true });
      expect(events.filter((e) => e.event === 'fatal').at(-1)).toEqual({
        event: 'fatal',
        code: 'CONFIG_INVALID',
        error: 'shard 0 exited with 78 before it was ready (see its fatal line); stopping all shards instead of respawning it.',
      });
      // discord.js had already started shard 0 again: that copy was stopped with the rest.
      expect(events.filter((e) => e.event === 'shard-spawn' && e.shard === 0)).toHaveLength(2);
      expect(shardPids().filter(alive)).toEqual([]);
    } finally {
      if (process.env.DEBUG_SHARDS) console.log(manager.stderr());
      for (const pid of [manager.child.pid!, ...shardPids()]) if (alive(pid)) process.kill(pid, 'SIGKILL');
      await fake.close();
    }
  }, 60_000);
});

describe('a shard that cannot start', () => {
  it('exits 1 before it is ready (empty corpus): the manager stops all and exits 1, so the supervisor restarts with its delay, not a respawn loop', async () => {
    const fake = await startFakeDiscord({ recommendedShards: 2, maxConcurrency: 16 });
    const empty = join(ws.root, 'empty-corpus');
    await mkdir(empty, { recursive: true });
    const manager = startManager(fake, { SHARDS: 'auto', CORPUS_DIR: empty, DATA_DIR: join(ws.root, 'empty-data') });
    const shardPids = () => manager.events().filter((e) => e.event === 'shard-spawn').map((e) => e.pid as number);
    try {
      expect(await manager.exited).toEqual({ code: 1, signal: null });
      const events = manager.events();
      expect(events.find((e) => e.event === 'fatal' && e.shard === 0)).toMatchObject({ code: 'CORPUS_EMPTY' });
      expect(events.filter((e) => e.event === 'fatal' && e.shard === undefined)).toEqual([
        {
          event: 'fatal',
          code: 'SHARD_START_FAILED',
          error: 'shard 0 exited with 1 before it was ready (see its fatal line); stopping all shards instead of respawning it.',
        },
      ]);
      expect(events.filter((e) => e.event === 'error')).toEqual([]);
      expect(shardPids().filter(alive)).toEqual([]);
    } finally {
      for (const pid of [manager.child.pid!, ...shardPids()]) if (alive(pid)) process.kill(pid, 'SIGKILL');
      await fake.close();
    }
  }, 60_000);
});

describe('SHARDS=1, the manager killed', () => {
  it('SIGKILL to the manager: its shard notices the closed channel and stops by itself, no orphan', async () => {
    const fake = await startFakeDiscord({ maxConcurrency: 16 });
    const manager = startManager(fake, { SHARDS: '1' });
    const shardPids = () => manager.events().filter((e) => e.event === 'shard-spawn').map((e) => e.pid as number);
    try {
      await vi.waitFor(() => expect(manager.events().some((e) => e.event === 'shards-ready')).toBe(true), { timeout: 60_000, interval: 100 });
      expect(manager.events().find((e) => e.event === 'shards')).toMatchObject({ count: 1, setting: 1, recommended: 1 });
      expect(fake.gatewayFrames.filter((f) => f.op === 2).map((f) => f.d.shard)).toEqual([[0, 1]]);
      const [shard] = shardPids() as [number];
      process.kill(manager.child.pid!, 'SIGKILL');
      await vi.waitFor(() => expect(alive(shard)).toBe(false), { timeout: 20_000, interval: 100 });
      expect(manager.events().filter((e) => e.shard === 0 && (e.event === 'shutdown' || e.event === 'stopped'))).toEqual([
        { shard: 0, event: 'shutdown', reason: 'sharding manager exited' },
        { shard: 0, event: 'stopped', drained: 0, abandoned: 0 },
      ]);
    } finally {
      for (const pid of [manager.child.pid!, ...shardPids()]) if (alive(pid)) process.kill(pid, 'SIGKILL');
      await fake.close();
    }
  }, 90_000);
});

describe('SHARDS misconfigured', () => {
  it('a bad value exits 1 naming it with the other problems, before anything starts', () => {
    const result = spawnSync(process.execPath, ['dist/src/cli/start.js'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '', SHARDS: 'many', HEALTH_PORT: '0', CORPUS_DIR: ws.corpusDir, DATA_DIR: ws.dataDir },
    });
    expect([result.status, result.stderr]).toEqual([
      1,
      'error CONFIG_INVALID: The configuration is invalid. Fix the variables listed below in .env (see .env.example).\n' +
        '- HEALTH_PORT: "0" is not a whole number from 1 to 65535.\n' +
        '- SHARDS: "many" is not auto or a whole number from 1 to 4096.\n',
    ]);
  });

  it('a token Discord rejects (401 on GET /gateway/bot): exit 78 with the fix, no shard started', async () => {
    const fake = await startFakeDiscord();
    fake.failNext({ method: 'GET', route: '/gateway/bot' }, { status: 401, code: 0, message: '401: Unauthorized' });
    const manager = startManager(fake, { SHARDS: 'auto' });
    try {
      expect(await manager.exited).toEqual({ code: 78, signal: null });
      expect(manager.events()).toEqual([
        {
          event: 'fatal',
          code: 'CONFIG_INVALID',
          error: 'DISCORD_TOKEN: Discord rejected this token. On the Bot page of your application, reset the token and copy the new one into .env.',
        },
      ]);
    } finally {
      if (alive(manager.child.pid!)) process.kill(manager.child.pid!, 'SIGKILL');
      await fake.close();
    }
  }, 60_000);

  it('without DISCORD_TOKEN: CONFIG_INVALID naming it, no shard started', async () => {
    const config = loadConfig({ SHARDS: 'auto', CORPUS_DIR: ws.corpusDir, DATA_DIR: ws.dataDir });
    const error = await runShardManager(config, { file: 'unused.js', exitConfig: 78 }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({
      code: 'CONFIG_INVALID',
      detail: '- DISCORD_TOKEN: SHARDS runs the Discord bot, which needs its token. Put your bot token in .env, or unset SHARDS for the console.',
    });
  });
});
