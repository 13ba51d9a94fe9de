import { describe, expect, it } from 'vitest';
import { startHealthServer, type Health } from '../../src/cli/health.js';

describe('GET /healthz', () => {
  it('answers 503 until the gateway is connected and an index is loaded, then 200; other paths 404', async () => {
    let health: Health = { gateway: 'connecting', index: null };
    const server = await startHealthServer(0, () => health);
    const get = async (path: string) => {
      const res = await fetch(`http://127.0.0.1:${server.port}${path}`);
      return { status: res.status, body: await res.json() };
    };
    try {
      expect(await get('/healthz')).toEqual({ status: 503, body: { ok: false, gateway: 'connecting', index: null } });
      health = { gateway: 'connected', index: null };
      expect((await get('/healthz')).status).toBe(503);
      health = { gateway: 'connected', index: { builtAt: '2025-03-07T10:00:00.000Z', documents: 81 } };
      expect(await get('/healthz')).toEqual({ status: 200, body: { ok: true, ...health } });
      health = { ...health, gateway: 'disconnected' };
      expect(await get('/healthz')).toEqual({ status: 503, body: { ok: false, ...health } });
      expect(await get('/')).toEqual({ status: 404, body: { error: 'not found: GET /healthz' } });
    } finally {
      await server.close();
    }
  });

  it('listens on loopback only', async () => {
    const server = await startHealthServer(0, () => ({ gateway: 'connected', index: null }));
    try {
      const { networkInterfaces } = await import('node:os');
      const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
      if (external) await expect(fetch(`http://${external.address}:${server.port}/healthz`)).rejects.toThrow();
      expect((await fetch(`http://127.0.0.1:${server.port}/healthz`)).status).toBe(503);
    } finally {
      await server.close();
    }
  });
});
