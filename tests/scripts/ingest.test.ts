import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFeedServer, type FeedServer } from '../feeds/server.js';
import { runCli } from '../support/run-cli.js';

let server: FeedServer;
let root: string;
let env: Record<string, string>;
beforeAll(async () => {
  server = await startFeedServer();
  root = await mkdtemp(join(tmpdir(), 'newsdesk-ingest-'));
  env = { CORPUS_DIR: join(root, 'corpus'), DATA_DIR: join(root, 'data'), EMBEDDER: 'use', MODELS_DIR: join(root, 'models') };
});
afterAll(async () => {
  await server.close();
  await rm(root, { recursive: true, force: true });
});

const ATOM_FILE = 'tests/feeds/fixtures/atom.xml';

describe('npm run ingest', () => {
  it('ingests URLs and files, names each failing feed, re-indexes, and adds nothing on a second run', async () => {
    const args = [`${server.base}/rss.xml`, ATOM_FILE, `${server.base}/broken.xml`, `${server.base}/gone.xml`];
    const first = await runCli('scripts/ingest.ts', args, env);
    expect(first.code).toBe(1);
    const lines = first.stdout.trim().split('\n');
    expect(lines.slice(0, 5)).toEqual([
      `feed ${server.base}/rss.xml (Harbor Gazette): 2 item(s): 2 new, 0 duplicate, 0 failed`,
      `feed ${ATOM_FILE} (Valley Courier): 1 item(s): 1 new, 0 duplicate, 0 failed`,
      `feed ${server.base}/broken.xml: failed: FEED_INVALID: ${server.base}/broken.xml: Invalid feed format.`,
      `feed ${server.base}/gone.xml: failed: FEED_UNREACHABLE: ${server.base}/gone.xml: HTTP 404 Not Found.`,
      'feeds read: 2 of 4; items: 3 new, 0 duplicate, 0 failed',
    ]);
    expect(lines[5]).toMatch(/^re-index: 3 documents, \d+ chunks, \d+ embedded, 0 cached, 0 skipped, 0 warning\(s\) \(\d+\.\d s\)$/);
    expect(first.stderr).toContain(`ingest: [1/4] ${server.base}/rss.xml`);
    expect((await readdir(join(root, 'data', 'index'))).length).toBeGreaterThan(0);

    const second = await runCli('scripts/ingest.ts', [`${server.base}/moved.xml`, ATOM_FILE], env);
    expect([second.code, second.stdout.trim().split('\n').at(-1)]).toEqual([0, 'feeds read: 2 of 2; items: 0 new, 3 duplicate, 0 failed']);
    expect(second.stderr).toContain('ingest: nothing new, so the index is unchanged');
  });

  it('two ingests at once, of overlapping feeds, write each item exactly once and both record it as seen', async () => {
    // Each /together/ feed answers only once both processes have asked for it, so both hold the
    // same items at the same moment and race to write them.
    const together = (fixture: string, type: string) => {
      const waiting: ServerResponse[] = [];
      const body = readFileSync(join('tests/feeds/fixtures', fixture), 'utf8').replaceAll('ARTICLE_BASE', server.base);
      const answer = () => waiting.splice(0).forEach((res) => res.writeHead(200, { 'content-type': type }).end(body));
      return (_req: unknown, res: ServerResponse) => {
        waiting.push(res);
        if (waiting.length === 2) answer();
        else setTimeout(answer, 5000).unref();
      };
    };
    server.set('/together/rss.xml', together('rss.xml', 'application/rss+xml'));
    server.set('/together/feed.json', together('feed.json', 'application/feed+json'));
    const raceEnv = { ...env, CORPUS_DIR: join(root, 'race-corpus') };
    const shared = [`${server.base}/together/rss.xml`, `${server.base}/together/feed.json`];
    const runs = await Promise.all([
      runCli('scripts/ingest.ts', ['--no-reindex', ...shared], raceEnv),
      runCli('scripts/ingest.ts', ['--no-reindex', ...shared, ATOM_FILE], raceEnv),
    ]);
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    const totals = runs.map((r) => r.stdout.trim().split('\n').at(-1)!.match(/items: (\d+) new, (\d+) duplicate/)!.slice(1).map(Number));
    // 3 shared items written once between the two runs, and seen as duplicates by the other; the atom item once.
    expect(totals[0]![0]! + totals[1]![0]!).toBe(4);
    expect(totals[0]![1]! + totals[1]![1]!).toBe(3);
    const files = (await readdir(join(root, 'race-corpus', 'feeds'), { recursive: true })).filter((f) => f.endsWith('.md')).sort();
    expect(files).toHaveLength(4);
    expect(files.filter((f) => /-\d\.md$/.test(f))).toEqual([]);
    const seen = JSON.parse(await readFile(join(root, 'race-corpus', 'feeds', '.seen.json'), 'utf8')) as { keys: string[] };
    expect(seen.keys.filter((k) => k.startsWith('title:'))).toHaveLength(4);
  });

  it('answers --help, and says BAD_USAGE with no feed given and none in FEEDS', async () => {
    const [help, none] = await Promise.all([runCli('scripts/ingest.ts', ['--help'], env), runCli('scripts/ingest.ts', [], env)]);
    expect([help.code, help.stdout.split('\n')[0]]).toEqual([0, 'Usage: npm run ingest -- [options] [<feed-url-or-file>…]']);
    expect([none.code, none.stderr.trim().split('\n').at(-1)]).toEqual([2, 'Give at least one feed URL or file, or set FEEDS in .env.']);
  });
});
