import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewsdeskError } from '../../src/errors.js';
import { DEFAULT_LIMITS, fetchText, USER_AGENT, type FetchLimits } from '../../src/feeds/fetch.js';
import { startFeedServer, type FeedServer } from './server.js';

let server: FeedServer;
beforeAll(async () => (server = await startFeedServer()));
afterAll(() => server.close());

// A generous timeout (the machine is shared); only the stall case uses a short one.
const limits: FetchLimits = { ...DEFAULT_LIMITS, timeoutMs: 10_000, maxBytes: 1024 * 1024 };

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, '127.0.0.1', done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}

async function failure(url: string, overrides: Partial<FetchLimits> = {}): Promise<[string | undefined, string | undefined]> {
  try {
    await fetchText(url, { ...limits, ...overrides });
  } catch (error) {
    return [(error as NewsdeskError).code, (error as NewsdeskError).detail];
  }
  return [undefined, undefined];
}

describe('fetchText', () => {
  it('returns the body and sends the Newsdesk User-Agent', async () => {
    const page = await fetchText(`${server.base}/atom.xml`, limits);
    expect([page.url, page.contentType, page.body.includes('<title type="text">Valley Courier</title>')])
      .toEqual([`${server.base}/atom.xml`, 'application/atom+xml', true]);
    expect(server.requests.at(-1)).toEqual({ path: '/atom.xml', userAgent: USER_AGENT });
  });

  it('follows a redirect and reports where it ended', async () => {
    const page = await fetchText(`${server.base}/moved.xml`, limits);
    expect(page.url).toBe(`${server.base}/rss.xml`);
    expect(page.body).toContain('<title>Harbor Gazette</title>');
  });

  it('says FEED_UNREACHABLE naming the URL for a 404, a redirect loop, a stall and a refused connection', async () => {
    expect(await failure(`${server.base}/nothing.xml`)).toEqual(['FEED_UNREACHABLE', `${server.base}/nothing.xml: HTTP 404 Not Found.`]);
    expect(await failure(`${server.base}/loop.xml`)).toEqual(['FEED_UNREACHABLE', `${server.base}/loop.xml: more than 5 redirects.`]);
    expect(await failure(`${server.base}/stall.xml`, { timeoutMs: 300 })).toEqual(['FEED_UNREACHABLE', `${server.base}/stall.xml: no complete answer within 300 ms.`]);
    const port = await closedPort();
    expect(await failure(`http://127.0.0.1:${port}/feed.xml`)).toEqual(['FEED_UNREACHABLE', `http://127.0.0.1:${port}/feed.xml: ECONNREFUSED.`]);
  });

  it('stops a 50 MB body at the size cap instead of reading it all', async () => {
    expect(await failure(`${server.base}/huge.xml`)).toEqual(['FEED_UNREACHABLE', `${server.base}/huge.xml: the body is larger than 1 MB.`]);
    expect(server.hugeBytesSent()).toBeLessThan(20 * 1024 * 1024);
  });

  it('refuses a declared Content-Length over the cap before reading the body', async () => {
    server.set('/declared.xml', (_req, res) => res.writeHead(200, { 'content-length': String(2 * 1024 * 1024) }).end(Buffer.alloc(2 * 1024 * 1024)));
    expect(await failure(`${server.base}/declared.xml`)).toEqual(['FEED_UNREACHABLE', `${server.base}/declared.xml: the body is larger than 1 MB.`]);
  });
});
