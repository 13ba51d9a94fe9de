import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commandData } from '../../src/bot/commands/index.js';
import { clearGuildCommands, deployCommands } from '../../src/bot/deploy.js';
import { runCli } from '../support/run-cli.js';
import { startFakeDiscord, type FakeDiscord } from '../support/fake-discord.js';

let fake: FakeDiscord;

beforeEach(async () => {
  fake = await startFakeDiscord();
});

afterEach(async () => {
  await fake.close();
});

describe('command registry', () => {
  it('defines /ask, /headlines (list, stats), /timeline, /source, /about and /reindex, valid for Discord', () => {
    const data = commandData();
    expect(data.map((c) => c.name)).toEqual(['ask', 'headlines', 'timeline', 'source', 'about', 'reindex', 'feeds']);
    for (const c of data) {
      expect(c.description.length).toBeGreaterThan(0);
      expect(c.description.length).toBeLessThanOrEqual(100);
    }
    const headlines = data.find((c) => c.name === 'headlines')!;
    // Discord: a command with subcommands has no options of its own besides them.
    expect(headlines.options!.map((o) => [o.name, o.type])).toEqual([['list', 1], ['stats', 1]]);
    const [list, stats] = headlines.options as Array<{ options: Array<{ name: string; autocomplete?: boolean }> }>;
    expect(list!.options.map((o) => o.name)).toEqual(['query', 'outlet', 'from', 'to', 'limit']);
    expect(list!.options.find((o) => o.name === 'outlet')).toMatchObject({ autocomplete: true });
    expect(stats!.options.map((o) => o.name)).toEqual(['query', 'from', 'to']);
    expect(data.find((c) => c.name === 'timeline')!.options!.map((o) => [o.name, o.required ?? false])).toEqual([['topic', true], ['from', false], ['to', false]]);
    expect(data.find((c) => c.name === 'ask')!.options![0]).toMatchObject({ name: 'question', required: true, max_length: 500 });
    expect(data.find((c) => c.name === 'reindex')).toMatchObject({ default_member_permissions: '32', contexts: [0] });
  });
});

describe('deployCommands', () => {
  it('finds the application with GET /applications/@me and PUTs the registry to the dev guild', async () => {
    const result = await deployCommands({ token: fake.token, apiUrl: fake.apiUrl, guildId: fake.guildId });
    expect(result).toEqual({
      applicationId: fake.applicationId,
      applicationName: 'Newsdesk',
      scope: 'guild',
      names: ['ask', 'headlines', 'timeline', 'source', 'about', 'reindex', 'feeds'],
    });
    expect(fake.calls.map((c) => `${c.method} ${c.route}`)).toEqual([
      'GET /applications/@me',
      `PUT /applications/${fake.applicationId}/guilds/${fake.guildId}/commands`,
    ]);
    expect(fake.calls[1]!.body).toEqual(JSON.parse(JSON.stringify(commandData())));
    expect(fake.calls[0]!.headers.authorization).toBe(`Bot ${fake.token}`);
  });

  it('registers globally without a guild', async () => {
    const result = await deployCommands({ token: fake.token, apiUrl: fake.apiUrl, guildId: null });
    expect(result.scope).toBe('global');
    expect(fake.commands.global.map((c) => c.name)).toEqual(['ask', 'headlines', 'timeline', 'source', 'about', 'reindex', 'feeds']);
  });

  it('explains a rejected token and an unknown guild', async () => {
    fake.failNext({ method: 'GET', route: '/applications/@me' }, { status: 401, message: '401: Unauthorized' });
    await expect(deployCommands({ token: fake.token, apiUrl: fake.apiUrl, guildId: null })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('DISCORD_TOKEN: Discord rejected this token (401)'),
    });
    await expect(deployCommands({ token: fake.token, apiUrl: fake.apiUrl, guildId: '123456789012345678' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: expect.stringContaining('DEV_GUILD_ID: the bot cannot register commands in guild 123456789012345678'),
    });
  });

  it('says plainly when Discord cannot be reached', async () => {
    const port = fake.port;
    await fake.close();
    await expect(deployCommands({ token: 'x'.repeat(30), apiUrl: `http://127.0.0.1:${port}/api`, guildId: null })).rejects.toThrow(
      `Could not reach Discord at http://127.0.0.1:${port}/api`,
    );
    fake = await startFakeDiscord();
  });
});

describe('deploy-commands --clear-guild', () => {
  it('clearGuildCommands removes the guild copies and leaves the global commands alone', async () => {
    await deployCommands({ token: fake.token, apiUrl: fake.apiUrl, guildId: fake.guildId });
    await deployCommands({ token: fake.token, apiUrl: fake.apiUrl, guildId: null });
    fake.clearCalls();
    const result = await clearGuildCommands({ token: fake.token, apiUrl: fake.apiUrl, guildId: fake.guildId });
    expect(result).toEqual({
      applicationId: fake.applicationId,
      applicationName: 'Newsdesk',
      guildId: fake.guildId,
      removed: ['ask', 'headlines', 'timeline', 'source', 'about', 'reindex', 'feeds'],
    });
    expect(fake.calls.map((c) => `${c.method} ${c.route}`)).toEqual([
      'GET /applications/@me',
      `GET /applications/${fake.applicationId}/guilds/${fake.guildId}/commands`,
      `PUT /applications/${fake.applicationId}/guilds/${fake.guildId}/commands`,
    ]);
    expect(fake.calls[2]!.body).toEqual([]);
    expect(fake.commands.guild.get(fake.guildId)).toEqual([]);
    expect(fake.commands.global.map((c) => c.name)).toEqual(['ask', 'headlines', 'timeline', 'source', 'about', 'reindex', 'feeds']);
  });

  it('npm run deploy-commands -- --global --clear-guild registers globally, then removes the DEV_GUILD_ID copies', async () => {
    await deployCommands({ token: fake.token, apiUrl: fake.apiUrl, guildId: fake.guildId });
    const env = { DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl, DEV_GUILD_ID: fake.guildId };
    const result = await runCli('scripts/deploy-commands.ts', ['--global', '--clear-guild'], env);
    expect(result.code).toBe(0);
    expect(result.stderr.trim().split('\n')).toEqual([
      `deploy-commands: registered 7 commands globally for Newsdesk (${fake.applicationId}): /ask, /headlines, /timeline, /source, /about, /reindex, /feeds`,
      `deploy-commands: removed 7 commands from guild ${fake.guildId} for Newsdesk (${fake.applicationId}): /ask, /headlines, /timeline, /source, /about, /reindex, /feeds`,
    ]);
    expect(fake.commands.guild.get(fake.guildId)).toEqual([]);
    expect(fake.commands.global).toHaveLength(7);

    const noGuild = await runCli('scripts/deploy-commands.ts', ['--clear-guild'], { DISCORD_TOKEN: fake.token, DISCORD_API_URL: fake.apiUrl });
    expect(noGuild.code).toBe(2);
    expect(noGuild.stderr).toContain('--clear-guild needs a server: set DEV_GUILD_ID or pass --guild ID.');
  });
});
