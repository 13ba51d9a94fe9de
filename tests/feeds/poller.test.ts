import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NewsdeskError } from '../../src/errors.js';
import { backoffMs, createPoller } from '../../src/feeds/poller.js';
import { feedIngester } from '../../src/feeds/setup.js';
import { startFeedServer, type FeedServer } from './server.js';

let server: FeedServer;
let corpus: string;
beforeAll(async () => {
  server = await startFeedServer();
  corpus = await mkdtemp(join(tmpdir(), 'newsdesk-poller-'));
});
afterAll(async () => {
  await server.close();
  await rm(corpus, { recursive: true, force: true });
});

const MINUTE = 60_000;

describe('backoffMs', () => {
  it('doubles from the base and stops at the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffMs(n, MINUTE, 10 * MINUTE) / MINUTE)).toEqual([1, 2, 4, 8, 10, 10]);
  });
});

describe('createPoller', () => {
  it('ingests every feed, re-indexes once after new items, backs off a failing feed while the others go on', async () => {
    let clock = 1_000_000;
    const logs: Record<string, unknown>[] = [];
    const reindexes: number[] = [];
    const ingester = feedIngester(corpus, { urls: [], pollMinutes: 30, fetchArticles: false, timeoutSeconds: 10 }, () => {});
    const good = `${server.base}/rss.xml`;
    const bad = `${server.base}/gone.xml`;
    const poller = createPoller({
      feeds: [good, bad],
      intervalMs: 30 * MINUTE,
      ingest: (url) => ingester.ingest(url),
      reindex: async () => void reindexes.push(clock),
      log: (fields) => logs.push(fields),
      now: () => clock,
    });

    await poller.pollDue();
    expect(reindexes).toEqual([1_000_000]);
    expect(poller.status()).toEqual([
      { url: good, title: 'Harbor Gazette', lastFetch: 1_000_000, lastSuccess: 1_000_000, items: 2, added: 2, failures: 0, lastError: null, nextFetch: 1_000_000 + 30 * MINUTE },
      { url: bad, title: null, lastFetch: 1_000_000, lastSuccess: null, items: 0, added: 0, failures: 1, lastError: `FEED_UNREACHABLE: ${bad}: HTTP 404 Not Found.`, nextFetch: 1_000_000 + MINUTE },
    ]);

    // Two minutes on: only the failing feed is due; it fails again and waits twice as long. Nothing new, no re-index.
    clock += 2 * MINUTE;
    const before = server.requests.length;
    await poller.pollDue();
    expect(server.requests.slice(before).map((r) => r.path)).toEqual(['/gone.xml']);
    expect(poller.status()[1]).toMatchObject({ failures: 2, nextFetch: clock + 2 * MINUTE });
    expect(reindexes).toHaveLength(1);
    expect(logs.filter((l) => l.ok === false).map((l) => [l.url, l.failures, l.retryInSeconds])).toEqual([[bad, 1, 60], [bad, 2, 120]]);

    // The feed comes back: its failures reset; the good feed's items are still duplicates.
    server.set('/gone.xml', (_req, res) => res.writeHead(200).end('{"version":"https://jsonfeed.org/version/1.1","title":"Back","items":[{"id":"b1","title":"Back online","content_text":"It works again.","date_published":"2025-03-12T00:00:00Z"}]}'));
    clock += 30 * MINUTE;
    await poller.pollDue();
    expect(poller.status().map((s) => [s.title, s.added, s.failures, s.lastError])).toEqual([['Harbor Gazette', 2, 0, null], ['Back', 1, 0, null]]);
    expect(reindexes).toHaveLength(2);
  });

  it('retries a re-index that failed (e.g. REINDEX_BUSY) on the next poll', async () => {
    let busy = true;
    let reindexed = 0;
    const poller = createPoller({
      feeds: ['http://127.0.0.1/a'],
      intervalMs: MINUTE,
      ingest: async (url) => ({ source: url, ok: true, title: 'A', items: 1, added: busy ? 1 : 0, duplicate: 0, failed: 0, articles: 0, articleFallbacks: 0, files: [], error: null }),
      reindex: async () => {
        if (busy) throw new NewsdeskError('REINDEX_BUSY');
        reindexed += 1;
      },
      log: () => {},
    });
    await poller.pollDue();
    expect(reindexed).toBe(0);
    busy = false;
    await poller.pollDue();
    expect(reindexed).toBe(1);
  });
});

describe('Poller start/stop', () => {
  it('polls on its own once started, and stop() waits for the poll in progress', async () => {
    let release!: () => void;
    const polled = new Promise<void>((done) => (release = done));
    let finished = false;
    const logs: Record<string, unknown>[] = [];
    const poller = createPoller({
      feeds: ['http://127.0.0.1/a'],
      intervalMs: MINUTE,
      ingest: async (url) => {
        release();
        await new Promise((done) => setTimeout(done, 50));
        finished = true;
        return { source: url, ok: true, title: 'A', items: 0, added: 0, duplicate: 0, failed: 0, articles: 0, articleFallbacks: 0, files: [], error: null };
      },
      reindex: async () => {},
      log: (fields) => logs.push(fields),
    });
    poller.start();
    expect(logs).toEqual([{ event: 'feeds-start', feeds: 1, everyMinutes: 1 }]);
    await polled;
    await poller.stop();
    expect([finished, poller.status()[0]!.title]).toEqual([true, 'A']);
  });
});
