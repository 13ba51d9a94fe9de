/**
 * Shared set-up for the bot's end-to-end tests: a real engine over a temp copy of the seed corpus
 * (plus one small document with markdown, a link and "@everyone"), the fake Discord, and the real
 * bot (startBot) logged into it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { startBot, type Bot, type StartBotOptions } from '../../src/bot/bot.js';
import { commandData } from '../../src/bot/commands/index.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { Engine } from '../../src/index/types.js';
import { seedEngine, seedWorkspace, type SeedWorkspace } from '../support/seed.js';
import { startFakeDiscord, type Call, type FakeDiscord, type Json } from '../support/fake-discord.js';

/** A document whose text Discord would format or ping if the bot did not escape it and forbid mentions. */
export const NOTICE_FILE = '001_notice.md';
export const NOTICE = `---
title: Pipeline audit notice
outlet: Test Wire
date: 2025-03-01
url: https://example.com/notices/pipeline-audit
---
Attention @everyone: the *Caspian pipeline* audit_report is due on March 14, says the notice. Ask <@123456789012345678> for the Caspian pipeline audit forms.
`;

export interface Workspace extends SeedWorkspace {
  engine: Engine;
}

/** A real engine (USE, offline) over the seed corpus and the notice, its index built on open. */
export async function openWorkspace(): Promise<Workspace> {
  const workspace = await seedWorkspace();
  await writeFile(join(workspace.corpusDir, NOTICE_FILE), NOTICE);
  const engine = await seedEngine(workspace);
  return {
    ...workspace,
    engine,
    cleanup: async () => {
      await engine.close();
      await workspace.cleanup();
    },
  };
}

export interface Harness {
  fake: FakeDiscord;
  bot: Bot;
  config: Config;
  /** Every log line the bot wrote. */
  logs: string[];
  /** The channel listed in ANSWER_CHANNEL_IDS. */
  answerChannelId: string;
  close(): Promise<void>;
}

export interface HarnessOptions extends Partial<Omit<StartBotOptions, 'config' | 'log'>> {
  env?: Record<string, string>;
}

/** The fake Discord with the commands registered, and the bot logged in to it. */
export async function startHarness(ws: Workspace, options: HarnessOptions = {}): Promise<Harness> {
  const fake = await startFakeDiscord();
  const answerChannel = fake.addChannel({ name: 'ask-newsdesk' });
  // Registered as deploy-commands would, so the fake types options the way Discord does.
  fake.commands.guild.set(
    fake.guildId,
    commandData().map((c) => ({ ...c, id: fake.snowflake(), application_id: fake.applicationId, guild_id: fake.guildId })),
  );
  const config = loadConfig({
    DISCORD_TOKEN: fake.token,
    DISCORD_API_URL: fake.apiUrl,
    DATA_DIR: ws.dataDir,
    CORPUS_DIR: ws.corpusDir,
    ANSWER_CHANNEL_IDS: answerChannel.id,
    USER_COOLDOWN_SECONDS: '0',
    CHANNEL_RATE_LIMIT: '0',
    ANSWER_K: '3',
    ...options.env,
  });
  const logs: string[] = [];
  const { env: _env, engine = ws.engine, ...botOptions } = options;
  let bot: Bot;
  try {
    bot = await startBot({ config, engine, log: (line) => logs.push(line), progressIntervalMs: 0, ...botOptions });
  } catch (error) {
    await fake.close();
    throw error;
  }
  return {
    fake,
    bot,
    config,
    logs,
    answerChannelId: answerChannel.id,
    close: async () => {
      await bot.stop();
      await fake.close();
    },
  };
}

/** The message payloads in a call: a message body, or the `data` of an interaction callback. */
export function messageBodies(call: Call): Json[] {
  const body = call.body;
  if (!body || typeof body !== 'object') return [];
  if (call.route.endsWith('/callback')) return body.data && typeof body.data === 'object' ? [body.data] : [];
  return [body];
}

/** Every body the bot sent that carries a message (content or embeds). */
export function sentMessages(fake: FakeDiscord): Array<{ call: Call; body: Json }> {
  return fake.calls
    .filter((c) => c.method === 'POST' || c.method === 'PATCH')
    .flatMap((call) => messageBodies(call).map((body) => ({ call, body })))
    .filter(({ body }) => body.content !== undefined || body.embeds !== undefined);
}

/** Asserts that every message the bot sent forbids all pings. Returns how many it checked. */
export function expectNoPings(fake: FakeDiscord): number {
  const sent = sentMessages(fake);
  for (const { call, body } of sent) {
    expect(body.allowed_mentions, `${call.method} ${call.route}`).toEqual({ parse: [], replied_user: false });
  }
  return sent.length;
}

/** The parsed JSON log lines. */
export function parsedLogs(h: Harness): Json[] {
  return h.logs.map((line) => JSON.parse(line) as Json);
}
