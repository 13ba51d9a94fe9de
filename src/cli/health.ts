/**
 * GET /healthz on 127.0.0.1:HEALTH_PORT, for a supervisor or a load balancer: 200 when the
 * gateway is connected and an index is loaded, 503 otherwise, with a JSON body saying which.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type GatewayState = 'connecting' | 'connected' | 'disconnected';

export interface Health {
  gateway: GatewayState;
  /** The live index: when it was built and how many documents it holds; null before it loads. */
  index: { builtAt: string; documents: number } | null;
}

export interface HealthServer {
  port: number;
  close(): Promise<void>;
}

export function healthBody(health: Health): { status: number; body: Health & { ok: boolean } } {
  const ok = health.gateway === 'connected' && health.index !== null;
  return { status: ok ? 200 : 503, body: { ok, ...health } };
}

/** A health answer: the HTTP status and the JSON body. */
export interface HealthReport {
  status: number;
  body: unknown;
}

/** Serves the health check on loopback only; port 0 picks a free one (tests). */
export function startHealthServer(port: number, health: () => Health): Promise<HealthServer> {
  return serveHealth(port, () => healthBody(health()));
}

/** GET /healthz answering `report()` (the sharding manager's report differs from one bot's). */
export async function serveHealth(port: number, report: () => HealthReport): Promise<HealthServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (req.method !== 'GET' || path !== '/healthz') {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found: GET /healthz"}');
      return;
    }
    const { status, body } = report();
    res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.unref();
  return {
    port: (server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
