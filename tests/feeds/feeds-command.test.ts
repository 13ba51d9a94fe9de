import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { feedsText, NO_FEEDS } from '../../src/bot/commands/feeds.js';
import { ERROR_MESSAGES } from '../../src/errors.js';
import type { FeedStatus } from '../../src/feeds/poller.js';
import type { Engine } from '../../src/index/types.js';
import { startHarness, type Harness } from '../bot/harness.js';

const EPHEMERAL = 64;
const MANAGE_GUILD = (perms: string) => (BigInt(perms) | PermissionFlagsBits.ManageGuild).toString();

const STATUSES: FeedStatus[] = [
  { url: 'http://127.0.0.1:9/rss.xml', title: 'Harbor *Gazette*', lastFetch: 1_741_340_000_000, lastSuccess: 1_741_340_000_000, items: 2, added: 2, failures: 0, lastError: null, nextFetch: 1_741_341_800_000 },
  { url: 'http://127.0.0.1:9/gone.xml', title: null, lastFetch: 1_741_340_000_000, lastSuccess: null, items: 0, added: 0, failures: 2, lastError: 'FEED_UNREACHABLE: http://127.0.0.1:9/gone.xml: HTTP 404 Not Found.', nextFetch: 1_741_340_120_000 },
];

describe('feedsText', () => {
  it('lists each feed with last fetch as a Discord timestamp, item counts, and the last error with the retry time', () => {
    expect(feedsText(STATUSES, 30).split('\n')).toEqual([
      'Feeds, polled every 30 min:',
      '1. **Harbor \\*Gazette\\*** <http://127.0.0.1:9/rss.xml>',
      '   last fetch <t:1741340000:R> · 2 item(s) in the feed · 2 added in all',
      '2. <http://127.0.0.1:9/gone.xml>',
      '   last fetch <t:1741340000:R> · 0 item(s) in the feed · 0 added in all',
      '   last error (2 in a row, next try <t:1741340120:R>): FEED\\_UNREACHABLE: http://127.0.0.1:9/gone.xml: HTTP 404 Not Found.',
    ]);
    expect(feedsText([], 30)).toBe(NO_FEEDS);
  });
});

describe('/feeds in Discord', () => {
  let h: Harness;
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'newsdesk-feeds-bot-'));
    // /feeds never touches the engine; a stub keeps this test free of model loading.
    const engine = {} as Engine;
    const ws = { root, corpusDir: join(root, 'corpus'), dataDir: join(root, 'data'), engine, cleanup: async () => {} };
    h = await startHarness(ws, { watchIndex: false, feeds: { status: () => STATUSES } });
  });
  afterAll(async () => {
    await h?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('is registered for Manage Server only, and refuses other members with FORBIDDEN', async () => {
    const command = h.fake.commands.guild.get(h.fake.guildId)!.find((c) => c.name === 'feeds')!;
    expect(command.default_member_permissions).toBe(PermissionFlagsBits.ManageGuild.toString());
    const callback = await h.fake.slashCommand('feeds').waitForCallback();
    expect([callback.body.type, callback.body.data.flags, callback.body.data.content]).toEqual([4, EPHEMERAL, ERROR_MESSAGES.FORBIDDEN]);
  });

  it('shows the poller state ephemerally to a member with Manage Server, pinging no one', async () => {
    const i = h.fake.slashCommand('feeds', undefined, { permissions: MANAGE_GUILD(h.fake.permissions.everyone) });
    const callback = await i.waitForCallback();
    expect([callback.body.type, callback.body.data.flags, callback.body.data.content]).toEqual([4, EPHEMERAL, feedsText(STATUSES, 30)]);
    expect(callback.body.data.allowed_mentions).toEqual({ parse: [], replied_user: false });
  });
});
