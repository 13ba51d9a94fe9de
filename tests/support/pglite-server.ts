import { connect, createServer, type Server, type Socket } from 'node:net';
import { PGlite } from '@electric-sql/pglite';
import { pg_textsearch } from '@electric-sql/pglite-pg_textsearch';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

export interface PgliteServer {
  /** postgres://postgres@127.0.0.1:<port>/postgres, for the ordinary `pg` client. */
  url: string;
  db: PGlite;
  stop(): Promise<void>;
}

export interface PgliteServerOptions {
  /** Load pgvector (default true): false is a server that lacks the extension. */
  vector?: boolean;
  /** Load pg_textsearch for BM25 (default true). */
  textsearch?: boolean;
  /** Default: a free port. */
  port?: number;
}

/**
 * Real PostgreSQL (PGlite, WASM) with pgvector and pg_textsearch behind the wire protocol on
 * 127.0.0.1 and a free port. The multiplexer runs one query at a time and keeps a transaction's
 * statements together; it needs maxConnections above 1 for a pool.
 */
export async function startPgliteServer(options: PgliteServerOptions = {}): Promise<PgliteServer> {
  const extensions = {
    ...(options.vector !== false && { vector }),
    ...(options.textsearch !== false && { pg_textsearch }),
  };
  const db = await PGlite.create({ extensions });
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: options.port ?? 0, maxConnections: 16 });
  await server.start();
  return {
    url: `postgres://postgres@${server.getServerConn()}/postgres`,
    db,
    async stop() {
      await server.stop();
      await db.close();
    },
  };
}

export interface FaultyProxy {
  url: string;
  /** The next bytes a client sends (a query) close that connection instead of reaching the server. */
  dropNextQuery(): void;
  /** How many connections were dropped. */
  readonly dropped: number;
  stop(): Promise<void>;
}

/**
 * A TCP proxy in front of `targetUrl` that can cut a connection in the middle of a query, as a
 * server restart or a network blip does; new connections go through as before.
 */
export async function startFaultyProxy(targetUrl: string): Promise<FaultyProxy> {
  const target = new URL(targetUrl);
  let armed = false;
  let dropped = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(Number(target.port), target.hostname);
    sockets.add(client).add(upstream);
    let started = false;
    client.on('data', (data) => {
      // The first packet is the start-up message; only queries on an open connection are cut.
      if (started && armed) {
        armed = false;
        dropped++;
        client.destroy();
        upstream.destroy();
        return;
      }
      started = true;
      upstream.write(data);
    });
    upstream.on('data', (data) => client.write(data));
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = new URL(targetUrl);
  url.port = String(port);
  return {
    url: url.toString(),
    dropNextQuery: () => {
      armed = true;
    },
    get dropped() {
      return dropped;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
