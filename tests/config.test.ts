import { describe, expect, it } from 'vitest';
import { loadConfig, requireToken } from '../src/config.js';
import type { NewsdeskError } from '../src/errors.js';

describe('loadConfig', () => {
  it('has documented defaults for everything', () => {
    const config = loadConfig({});
    expect(config.embedder).toMatchObject({ kind: 'auto', model: 'Xenova/all-MiniLM-L6-v2', allowRemote: false, quantized: true });
    expect(config.chunking).toEqual({ targetChars: 150, overlapChars: 0 });
    expect(config.answerK).toBe(3);
    expect(config.discord).toEqual({ token: null, devGuildId: null, answerChannelIds: [], apiUrl: null, userCooldownSeconds: 5, channelMessagesPerMinute: 20, slashOnly: false });
    expect(config.healthPort).toBeNull();
    expect(config.corpusDir.endsWith('/corpus')).toBe(true);
  });

  it('reports every problem at once, naming each variable, with code CONFIG_INVALID', () => {
    let error: NewsdeskError | undefined;
    try {
      loadConfig({ EMBEDDER: 'bert', ANSWER_K: '0', DEV_GUILD_ID: 'abc', DISCORD_API_URL: 'ftp://x', ALLOW_REMOTE_MODELS: 'maybe', DISCORD_TOKEN: 'short' });
    } catch (caught) {
      error = caught as NewsdeskError;
    }
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.detail?.split('\n')).toEqual([
      '- DISCORD_TOKEN: this does not look like a bot token (copy it from the Bot page of your application).',
      '- EMBEDDER: "bert" is not one of auto, use, transformers.',
      '- ALLOW_REMOTE_MODELS: "maybe" is not true or false.',
      '- ANSWER_K: "0" is not a whole number from 1 to 10.',
      '- DEV_GUILD_ID: "abc" is not a Discord id (17 to 20 digits).',
      '- DISCORD_API_URL: "ftp://x" is not an http(s) URL such as http://127.0.0.1:8080/api.',
    ]);
  });

  it('reads channel lists and the API URL, and rejects overlap not smaller than the chunk', () => {
    const config = loadConfig({ ANSWER_CHANNEL_IDS: '123456789012345678, 223456789012345678', DISCORD_API_URL: 'http://127.0.0.1:9/api/' });
    expect(config.discord.answerChannelIds).toEqual(['123456789012345678', '223456789012345678']);
    expect(config.discord.apiUrl).toBe('http://127.0.0.1:9/api');
    expect(() => loadConfig({ CHUNK_TARGET_CHARS: '100', CHUNK_OVERLAP_CHARS: '100' })).toThrow('CHUNK_OVERLAP_CHARS: must be smaller than CHUNK_TARGET_CHARS.');
  });
});

describe('the index store', () => {
  it('is embedded by default; STORE=postgres needs DATABASE_URL, a postgres:// URL never echoed back', () => {
    expect(loadConfig({}).store).toEqual({ kind: 'embedded', databaseUrl: null, pollSeconds: 5 });
    const url = 'postgres://newsdesk:secret@127.0.0.1:5432/newsdesk';
    expect(loadConfig({ STORE: 'postgres', DATABASE_URL: url, PG_POLL_SECONDS: '2' }).store).toEqual({ kind: 'postgres', databaseUrl: url, pollSeconds: 2 });
    expect(() => loadConfig({ STORE: 'postgres' })).toThrow('- DATABASE_URL: required with STORE=postgres (postgres://USER:PASSWORD@HOST:5432/DATABASE).');
    let error: NewsdeskError | undefined;
    try {
      loadConfig({ STORE: 'postgres', DATABASE_URL: 'mysql://root:secret@db/x' });
    } catch (caught) {
      error = caught as NewsdeskError;
    }
    expect(error?.detail).toBe('- DATABASE_URL: is not a postgres:// URL such as postgres://newsdesk:PASSWORD@db.example.org:5432/newsdesk.');
  });
});

describe('process and Discord setup variables', () => {
  it('HEALTH_PORT turns on the health endpoint on a port from 1 to 65535; SLASH_ONLY is a boolean', () => {
    const config = loadConfig({ HEALTH_PORT: '8081', SLASH_ONLY: 'true' });
    expect(config.healthPort).toBe(8081);
    expect(config.discord.slashOnly).toBe(true);
    expect(() => loadConfig({ HEALTH_PORT: '70000', SLASH_ONLY: 'sometimes' })).toThrow(
      '- SLASH_ONLY: "sometimes" is not true or false.\n- HEALTH_PORT: "70000" is not a whole number from 1 to 65535.',
    );
  });

  it('refuses answer channels in slash-only mode: they need the Message Content intent', () => {
    expect(() => loadConfig({ SLASH_ONLY: 'true', ANSWER_CHANNEL_IDS: '123456789012345678' })).toThrow(
      '- ANSWER_CHANNEL_IDS: answer channels need the Message Content intent, which SLASH_ONLY=true turns off. Unset one of them.',
    );
  });
});

describe('SHARDS', () => {
  it('is off by default, auto or a whole number of shards; every bad value is named with the others', () => {
    expect([loadConfig({}).shards, loadConfig({ SHARDS: 'auto' }).shards, loadConfig({ SHARDS: 'AUTO' }).shards, loadConfig({ SHARDS: '2' }).shards]).toEqual([null, 'auto', 'auto', 2]);
    expect(() => loadConfig({ SHARDS: '0', ANSWER_K: 'x' })).toThrow(
      '- ANSWER_K: "x" is not a whole number from 1 to 10.\n- SHARDS: "0" is not auto or a whole number from 1 to 4096.',
    );
    expect(() => loadConfig({ SHARDS: 'two' })).toThrow('- SHARDS: "two" is not auto or a whole number from 1 to 4096.');
    expect(() => loadConfig({ SHARDS: '1.5' })).toThrow('- SHARDS: "1.5" is not auto or a whole number from 1 to 4096.');
  });

  it("in a process the sharding manager started, SHARDS is discord.js's shard id: one shard, and no HEALTH_PORT (the manager serves it)", () => {
    const shard = loadConfig({ SHARDING_MANAGER: 'true', SHARDS: '1', SHARD_COUNT: '2', HEALTH_PORT: '8081' });
    expect([shard.shards, shard.shardProcess, shard.healthPort]).toEqual([null, { id: 1, count: 2 }, null]);
    expect(() => loadConfig({ SHARDING_MANAGER: 'true', SHARDS: '2', SHARD_COUNT: '2' })).toThrow(
      '- SHARDS: "2" of SHARD_COUNT "2" is not a shard this process can run (set by the sharding manager; do not set SHARDING_MANAGER yourself).',
    );
  });
});

describe('requireToken', () => {
  it('names DISCORD_TOKEN when the bot has none', () => {
    expect(() => requireToken(loadConfig({}))).toThrow('- DISCORD_TOKEN: required to run the bot.');
  });
});
