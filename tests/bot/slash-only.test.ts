/**
 * SLASH_ONLY=true: the bot runs on an application whose Message Content intent is off in the
 * Developer Portal (the fake closes an IDENTIFY asking for it with 4014, as Discord does).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBot, type Bot } from '../../src/bot/bot.js';
import { commandData } from '../../src/bot/commands/index.js';
import { loadConfig } from '../../src/config.js';
import { Intent, startFakeDiscord, type FakeDiscord } from '../support/fake-discord.js';
import { expectNoPings, openWorkspace, type Workspace } from './harness.js';

const ZANGEZUR = 'What is the Zangezur corridor?';
let ws: Workspace;
let fake: FakeDiscord;
let bot: Bot;

beforeAll(async () => {
  ws = await openWorkspace();
  fake = await startFakeDiscord({ disallowedIntents: Intent.MessageContent });
  fake.commands.guild.set(fake.guildId, commandData().map((c) => ({ ...c, id: fake.snowflake(), guild_id: fake.guildId })));
  const config = loadConfig({
    DISCORD_TOKEN: fake.token,
    DISCORD_API_URL: fake.apiUrl,
    DATA_DIR: ws.dataDir,
    CORPUS_DIR: ws.corpusDir,
    USER_COOLDOWN_SECONDS: '0',
    CHANNEL_RATE_LIMIT: '0',
    SLASH_ONLY: 'true',
  });
  bot = await startBot({ config, engine: ws.engine, log: () => {}, watchIndex: false });
});

afterAll(async () => {
  await bot?.stop();
  if (fake) {
    await fake.close();
    expectNoPings(fake);
  }
  await ws?.cleanup();
});

describe('SLASH_ONLY=true', () => {
  it('logs in without asking for Message Content (no 4014) and answers /ask', async () => {
    expect(fake.identifyPayload!.intents & Intent.MessageContent).toBe(0);
    expect(fake.identifyPayload!.intents & (Intent.Guilds | Intent.GuildMessages | Intent.DirectMessages)).toBe(
      Intent.Guilds | Intent.GuildMessages | Intent.DirectMessages,
    );
    expect((await fake.slashCommand('ask', { question: ZANGEZUR }).waitForEdit()).body.embeds[0].title).toBe(ZANGEZUR);
  });

  it('still answers a mention and a DM, whose text Discord sends without the intent; starts no thread for follow-ups', async () => {
    const mention = fake.message(ZANGEZUR, { mentionsBot: true });
    expect((await fake.waitForReplyTo(mention.id)).body.embeds[0].title).toBe(ZANGEZUR);
    const dm = fake.message(ZANGEZUR, { dm: true });
    expect((await fake.waitForReplyTo(dm.id)).body.embeds[0].title).toBe(ZANGEZUR);
    expect(fake.findCalls({ route: /\/threads$/ })).toEqual([]);
  });

  it('a message without a mention in a thread the bot owns arrives blank and is left alone', async () => {
    const threadId = fake.createThread({ name: ZANGEZUR }).id as string;
    const followUp = fake.message('And what does Iran want?', { threadId });
    expect(fake.dispatched.find((d) => d.d.id === followUp.id)!.d.content).toBe('');
    const mention = fake.message(ZANGEZUR, { threadId, mentionsBot: true });
    await fake.waitForReplyTo(mention.id);
    expect(fake.findCalls({ method: 'POST', route: `/channels/${threadId}/messages` })).toHaveLength(1);
  });
});
