/** /feeds counts survive a restart: the poller's status saved in DATA_DIR and loaded at start. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPoller, type FeedStatus } from '../../src/feeds/poller.js';
import { feedPollerFromConfig } from '../../src/feeds/setup.js';
import { feedStatusPath, loadFeedStatus, saveFeedStatus } from '../../src/feeds/status-file.js';
import { startFeedServer, type FeedServer } from './server.js';

const MINUTE = 60_000;
let server: FeedServer;
let dir: string;
beforeAll(async () => {
  server = await startFeedServer();
  dir = await mkdtemp(join(tmpdir(), 'newsdesk-feed-status-'));
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

const STATUS: FeedStatus = { url: 'http://127.0.0.1/a', title: 'A', lastFetch: 5, lastSuccess: 5, items: 3, added: 2, failures: 0, lastError: null, nextFetch: 5 + 30 * MINUTE };

describe('loadFeedStatus / saveFeedStatus', () => {
  it('reads back what was saved, and nothing when there is no file yet', async () => {
    const path = join(dir, 'round', 'feeds-status.json');
    expect(await loadFeedStatus(path)).toEqual({ statuses: [] });
    await saveFeedStatus(path, [STATUS]);
    expect(await loadFeedStatus(path)).toEqual({ statuses: [STATUS] });
  });

  it('ignores a damaged file, saying so, and drops entries of the wrong shape', async () => {
    const path = join(dir, 'damaged.json');
    await writeFile(path, '{"version":1,"feeds":[');
    const damaged = await loadFeedStatus(path);
    expect(damaged.statuses).toEqual([]);
    expect(damaged.problem).toMatch(/^.*damaged\.json: .*; feed counts start over$/);
    await writeFile(path, JSON.stringify({ version: 1, feeds: [STATUS, { ...STATUS, url: 7 }, null] }));
    expect(await loadFeedStatus(path)).toEqual({ statuses: [STATUS] });
  });
});

describe('createPoller with a saved status', () => {
  const ingest = async (url: string) => ({ source: url, ok: true, title: 'A', items: 4, added: 1, duplicate: 3, failed: 0, articles: 0, articleFallbacks: 0, files: [], error: null });

  it('starts from the saved counts and schedule, drops feeds no longer configured, and saves after each poll', async () => {
    let clock = 10 * MINUTE;
    const saves: FeedStatus[][] = [];
    const poller = createPoller({
      feeds: [STATUS.url, 'http://127.0.0.1/new'],
      intervalMs: 30 * MINUTE,
      ingest,
      reindex: async () => {},
      log: () => {},
      now: () => clock,
      saved: [STATUS, { ...STATUS, url: 'http://127.0.0.1/removed' }],
      persist: async (statuses) => void saves.push(statuses),
    });
    expect(poller.status()[0]).toEqual(STATUS);
    // Only the new feed is due: the saved one was read 10 minutes ago.
    await poller.pollDue();
    expect(poller.status().map((s) => [s.url, s.added, s.lastFetch])).toEqual([[STATUS.url, 2, 5], ['http://127.0.0.1/new', 1, clock]]);
    expect(saves).toEqual([poller.status()]);
    clock = STATUS.nextFetch;
    await poller.pollDue();
    expect(poller.status()[0]).toMatchObject({ added: 3, items: 4, lastFetch: clock });
    expect(saves).toHaveLength(2);
  });

  it('logs a status that cannot be saved and goes on polling', async () => {
    const logs: Record<string, unknown>[] = [];
    const poller = createPoller({
      feeds: [STATUS.url],
      intervalMs: 30 * MINUTE,
      ingest,
      reindex: async () => {},
      log: (fields) => logs.push(fields),
      persist: async () => {
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      },
    });
    await poller.pollDue();
    expect(poller.status()[0]!.added).toBe(1);
    expect(logs.filter((l) => l.where === 'feeds-status').map((l) => l.event)).toEqual(['error']);
  });
});

describe('feedPollerFromConfig', () => {
  it('writes DATA_DIR/feeds-status.json after a poll, and a restarted poller lists the same counts and error', async () => {
    const good = `${server.base}/rss.xml`;
    const bad = `${server.base}/gone.xml`;
    const config = { corpusDir: join(dir, 'corpus'), dataDir: join(dir, 'data'), feeds: { urls: [good, bad], pollMinutes: 30, fetchArticles: false, timeoutSeconds: 10 } };
    const first = (await feedPollerFromConfig(config, async () => {}, () => {}))!;
    await first.pollDue();
    const before = first.status();
    expect(before.map((s) => [s.title, s.items, s.added, s.failures, s.lastError])).toEqual([
      ['Harbor Gazette', 2, 2, 0, null],
      [null, 0, 0, 1, `FEED_UNREACHABLE: ${bad}: HTTP 404 Not Found.`],
    ]);
    expect(JSON.parse(await readFile(feedStatusPath(config.dataDir), 'utf8'))).toEqual({ version: 1, feeds: before });
    const restarted = (await feedPollerFromConfig(config, async () => {}, () => {}))!;
    expect(restarted.status()).toEqual(before);
  });
});
