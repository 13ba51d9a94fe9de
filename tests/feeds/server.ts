import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, 'fixtures');

export interface FeedServer {
  base: string;
  /** Every request: path and User-Agent, in order. */
  requests: { path: string; userAgent: string | undefined }[];
  /** How many bytes /huge.xml wrote before the client hung up. */
  hugeBytesSent(): number;
  /** Replaces what a path serves (e.g. a feed that gains an item, or starts failing). */
  set(path: string, handler: Handler): void;
  close(): Promise<void>;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const HUGE_BYTES = 50 * 1024 * 1024;

/** An article page long enough for Readability, with site chrome around it. */
export function articlePage(title: string, paragraphs: string[]): string {
  return `<!doctype html><html><head><title>${title}</title></head><body>
<nav><a href="/">Home</a> <a href="/sports">Sports</a></nav>
<article><h1>${title}</h1>${paragraphs.map((p) => `<p>${p}</p>`).join('\n')}</article>
<footer>Copyright Harbor Gazette. <a href="/privacy">Privacy</a></footer></body></html>`;
}

export const FERRY_PARAGRAPHS = [
  'The port authority approved a ferry line between the two islands on Friday, ending a decade of debate about the crossing.',
  'Boats will leave every ninety minutes from the north pier, and the first sailing is planned for the first week of June.',
  'Fares will match the bus network, the authority said, so that a single ticket covers the ferry and the connecting bus.',
];

/** Serves the fixture feeds and the fault cases on 127.0.0.1 at a free port. */
export async function startFeedServer(): Promise<FeedServer> {
  const requests: FeedServer['requests'] = [];
  let hugeSent = 0;
  const sockets = new Set<import('node:net').Socket>();
  const routes = new Map<string, Handler>();
  const file = (name: string, type: string): Handler => (_req, res) => {
    const body = readFileSync(join(FIXTURES, name), 'utf8').replaceAll('ARTICLE_BASE', base);
    res.writeHead(200, { 'content-type': type }).end(body);
  };
  routes.set('/rss.xml', file('rss.xml', 'application/rss+xml; charset=utf-8'));
  routes.set('/atom.xml', file('atom.xml', 'application/atom+xml'));
  routes.set('/feed.json', file('feed.json', 'application/feed+json'));
  routes.set('/entities.xml', file('entities.xml', 'application/rss+xml'));
  routes.set('/broken.xml', file('broken.xml', 'application/rss+xml'));
  routes.set('/moved.xml', (_req, res) => res.writeHead(301, { location: '/rss.xml' }).end());
  routes.set('/loop.xml', (_req, res) => res.writeHead(302, { location: '/loop.xml' }).end());
  routes.set('/stall.xml', (_req, res) => {
    // Headers and a first byte, then nothing: only a timeout ends this.
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    res.write('<');
  });
  routes.set('/huge.xml', (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/rss+xml' });
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const pump = () => {
      while (hugeSent < HUGE_BYTES) {
        hugeSent += chunk.length;
        if (!res.write(chunk)) return void res.once('drain', pump);
      }
      res.end();
    };
    res.on('close', () => res.destroy());
    pump();
  });
  routes.set('/articles/ferry.html', (_req, res) =>
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(articlePage('Ferry line approved', FERRY_PARAGRAPHS)),
  );
  routes.set('/articles/storm.html', (_req, res) => res.writeHead(500).end('oops'));

  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    requests.push({ path, userAgent: req.headers['user-agent'] });
    const handler = routes.get(path);
    if (handler) handler(req, res);
    else res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    requests,
    hugeBytesSent: () => hugeSent,
    set: (path, handler) => void routes.set(path, handler),
    close: () =>
      new Promise<void>((done) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => done());
      }),
  };
}
