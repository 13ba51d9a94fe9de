import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { articleFetcher, extractArticle } from '../../src/feeds/article.js';
import { DEFAULT_LIMITS, isPrivateUrl, USER_AGENT, type FetchLimits } from '../../src/feeds/fetch.js';
import { formatFeedResult, ingestFeed, type FeedResult } from '../../src/feeds/ingest.js';
import { FeedStore, readerKeepsExtraKeys, renderDocument } from '../../src/feeds/store.js';
import { parseFile, readCorpus } from '../../src/index/corpus.js';
import { articlePage, FERRY_PARAGRAPHS, startFeedServer, type FeedServer } from './server.js';

let server: FeedServer;
let corpus: string;
beforeAll(async () => (server = await startFeedServer()));
afterAll(() => server.close());
beforeEach(async () => {
  if (corpus) await rm(corpus, { recursive: true, force: true });
  corpus = await mkdtemp(join(tmpdir(), 'newsdesk-feeds-'));
});

const limits: FetchLimits = { ...DEFAULT_LIMITS, timeoutMs: 10_000 };

async function ingest(path: string, fetchArticle: ReturnType<typeof articleFetcher> | null = null): Promise<FeedResult> {
  return ingestFeed(`${server.base}${path}`, { store: await FeedStore.open(corpus), limits, fetchArticle });
}

describe('ingestFeed', () => {
  it('writes RSS, Atom and JSON Feed items as front-matter Markdown that the corpus reader reads back', async () => {
    const results = [await ingest('/rss.xml'), await ingest('/atom.xml'), await ingest('/feed.json')];
    expect(results.map((r) => [r.ok, r.items, r.added, r.duplicate, r.failed])).toEqual([[true, 2, 2, 0, 0], [true, 1, 1, 0, 0], [true, 1, 1, 0, 0]]);
    expect(results.flatMap((r) => r.files)).toEqual([
      'feeds/harbor-gazette/2025-03-07-port-authority-approves-new-ferry-line.md',
      'feeds/coastal-wire/2025-03-08-fishing-fleet-returns-early-as-storm-nears.md',
      'feeds/valley-courier/2025-03-09-council-votes-to-reopen-the-old-bridge.md',
      'feeds/mountain-ledger/2025-03-11-ski-season-ends-with-record-snow.md',
    ]);
    expect(await readFile(join(corpus, results[1]!.files[0]!), 'utf8')).toBe([
      '---',
      'title: Council votes to reopen the old bridge',
      'outlet: Valley Courier',
      'date: 2025-03-09',
      'url: http://127.0.0.1/valley/bridge',
      // guid and feed only once the corpus reader keeps extra front matter keys (YAML front matter).
      ...(readerKeepsExtraKeys() ? ['guid: urn:valley:bridge', `feed: ${server.base}/atom.xml`] : []),
      '---',
      'The council voted 7 to 2 to reopen the bridge.',
      '',
      'Work starts in April.',
      '',
    ].join('\n'));
    const read = await readCorpus(corpus);
    expect(read.problems).toEqual([]);
    expect(read.documents.map((d) => [d.title, d.outlet, d.date, d.url, d.kind])).toEqual([
      ['Fishing fleet returns early as storm nears', 'Coastal Wire', '2025-03-08', `${server.base}/articles/storm.html`, 'article'],
      ['Port authority approves new ferry line', 'Harbor Gazette', '2025-03-07', `${server.base}/articles/ferry.html`, 'article'],
      ['Ski season ends with record snow', 'Mountain Ledger', '2025-03-11', 'http://127.0.0.1/ledger/42', 'article'],
      ['Council votes to reopen the old bridge', 'Valley Courier', '2025-03-09', 'http://127.0.0.1/valley/bridge', 'article'],
    ]);
  });

  it('keeps entity-laden CDATA titles readable and parseable back', async () => {
    const result = await ingest('/entities.xml');
    const [doc] = (await readCorpus(corpus)).documents;
    expect([result.added, doc?.title, doc?.outlet, doc?.text]).toEqual([
      1, 'Bakers & grocers “welcome” the new market', 'Smith & Sons Weekly',
      'Stall rents fall by 10 % — vendors say it’s "overdue".\n\nOpening day is Saturday & entry is free.',
    ]);
  });

  it('adds nothing when run again, even after the seen list is lost', async () => {
    await ingest('/rss.xml');
    const again = await ingest('/moved.xml');
    expect([again.ok, again.added, again.duplicate]).toEqual([true, 0, 2]);
    await rm(join(corpus, 'feeds', '.seen.json'));
    const rebuilt = await ingest('/rss.xml');
    expect([rebuilt.added, rebuilt.duplicate]).toEqual([0, 2]);
    expect((await readCorpus(corpus)).files).toBe(2);
  });

  it('treats the same story under a new guid and url as a duplicate when its normalized title and day match', async () => {
    await ingest('/rss.xml');
    server.set('/republished.xml', (_req, res) => res.writeHead(200).end(
      '<rss version="2.0"><channel><title>Other</title><item><title>PORT AUTHORITY approves new ferry-line!</title><guid>x-9</guid>'
      + '<link>http://127.0.0.1/other/9</link><pubDate>Fri, 07 Mar 2025 20:00:00 GMT</pubDate><description>Same.</description></item>'
      + '<item><title>Port authority approves new ferry line</title><guid>x-10</guid><pubDate>Mon, 10 Mar 2025 08:00:00 GMT</pubDate>'
      + '<description>A later story with the same title.</description></item></channel></rss>'));
    const result = await ingest('/republished.xml');
    expect([result.added, result.duplicate, result.files]).toEqual([1, 1, ['feeds/other/2025-03-10-port-authority-approves-new-ferry-line.md']]);
  });

  it('reports a malformed feed and a 404 as failed with the feed named, writing nothing', async () => {
    const broken = await ingest('/broken.xml');
    const missing = await ingest('/gone.xml');
    expect([broken.ok, broken.error]).toEqual([false, `FEED_INVALID: ${server.base}/broken.xml: Invalid feed format.`]);
    expect(formatFeedResult(missing)).toBe(`feed ${server.base}/gone.xml: failed: FEED_UNREACHABLE: ${server.base}/gone.xml: HTTP 404 Not Found.`);
    await expect(readCorpus(corpus)).resolves.toMatchObject({ files: 0 });
  });

  it('with article fetching, keeps the page text, and falls back to the summary when the page fails', async () => {
    const fetchArticle = articleFetcher({ limits, hostDelayMs: 5 });
    const result = await ingest('/rss.xml', fetchArticle);
    expect([result.articles, result.articleFallbacks]).toEqual([1, 1]);
    expect(formatFeedResult(result)).toBe(`feed ${server.base}/rss.xml (Harbor Gazette): 2 item(s): 2 new, 0 duplicate, 0 failed, articles 1 fetched, 1 kept the summary`);
    const docs = (await readCorpus(corpus)).documents;
    expect(docs.map((d) => d.text)).toEqual(['Boats came back two days early.', FERRY_PARAGRAPHS.join('\n\n')]);
    expect(server.requests.filter((r) => r.path.startsWith('/articles/'))).toEqual([
      { path: '/articles/ferry.html', userAgent: USER_AGENT },
      { path: '/articles/storm.html', userAgent: USER_AGENT },
    ]);
  });
});

describe('article fetching and private addresses', () => {
  it('does not fetch a private-address page named by a feed that is not served from one', async () => {
    const file = join(corpus, 'saved.xml');
    await writeFile(file, (await readFile(join(import.meta.dirname, 'fixtures', 'rss.xml'), 'utf8')).replaceAll('ARTICLE_BASE', server.base));
    const before = server.requests.length;
    const result = await ingestFeed(file, { store: await FeedStore.open(corpus), limits, fetchArticle: articleFetcher({ limits, hostDelayMs: 5 }) });
    expect([result.added, result.articles, result.articleFallbacks, server.requests.length - before]).toEqual([2, 0, 2, 0]);
  });

  it('tells private and loopback hosts from public ones by their literal address', () => {
    const urls = ['http://127.0.0.1:8/a', 'http://localhost/a', 'http://10.1.2.3/', 'http://172.20.0.1/', 'http://192.168.1.1/', 'http://169.254.169.254/latest', 'http://[::1]/', 'http://[fd00::1]/',
      'http://172.32.0.1/', 'https://example.org/a', 'http://8.8.8.8/', 'not a url'];
    expect(urls.map(isPrivateUrl)).toEqual([true, true, true, true, true, true, true, true, false, false, false, false]);
  });
});

describe('extractArticle', () => {
  it('returns the article paragraphs without navigation or footer, and null for a page with no article', () => {
    expect(extractArticle(articlePage('Ferry', FERRY_PARAGRAPHS))).toBe(FERRY_PARAGRAPHS.join('\n\n'));
    expect(extractArticle('<html><body><nav>Home</nav><p>Subscribe.</p></body></html>')).toBeNull();
  });
});

describe('articleFetcher', () => {
  it('waits the per-host delay between two pages of one host', async () => {
    const waits: number[] = [];
    let clock = 1_000;
    const fetchArticle = articleFetcher({
      limits, hostDelayMs: 1000, now: () => clock,
      sleep: async (ms) => { waits.push(ms); clock += ms; },
    });
    await fetchArticle(`${server.base}/articles/ferry.html`);
    clock += 250;
    await fetchArticle(`${server.base}/articles/ferry.html`);
    expect(waits).toEqual([750]);
  });
});

describe('renderDocument', () => {
  const item = {
    guid: 'g-1', url: 'http://127.0.0.1/a', title: 'Rates: "hold" for now', outlet: 'Wire & Co', date: '2025-03-07', text: 'Body.', feed: 'http://127.0.0.1/rss.xml',
  };

  it('quotes a title YAML would misread, never folds a long line, and adds guid and feed only when asked', () => {
    const long = 'word '.repeat(40).trim();
    expect(renderDocument({ ...item, title: long }, 'Body.').split('\n')[1]).toBe(`title: ${long}`);
    expect(renderDocument(item, '')).toBe('---\ntitle: \'Rates: "hold" for now\'\noutlet: Wire & Co\ndate: 2025-03-07\nurl: http://127.0.0.1/a\n---\nRates: "hold" for now\n');
    expect(renderDocument(item, 'Body.', { extraKeys: true })).toContain('url: http://127.0.0.1/a\nguid: g-1\nfeed: http://127.0.0.1/rss.xml\n---\nBody.\n');
  });

  it('writes files the current corpus reader reads back with the same title, outlet, date and url', () => {
    const parsed = parseFile('x.md', renderDocument(item, 'Body.', { extraKeys: readerKeepsExtraKeys() }));
    expect(parsed.documents.map((d) => [d.title, d.outlet, d.date, d.url, d.text])).toEqual([['Rates: "hold" for now', 'Wire & Co', '2025-03-07', 'http://127.0.0.1/a', 'Body.']]);
  });
});
