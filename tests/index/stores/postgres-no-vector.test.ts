import { afterAll, beforeAll, expect, it } from 'vitest';
import { createPool } from '../../../src/index/stores/postgres/connect.js';
import { migrate } from '../../../src/index/stores/postgres/migrate.js';
import { startPgliteServer, type PgliteServer } from '../../support/pglite-server.js';

let server: PgliteServer;

beforeAll(async () => {
  server = await startPgliteServer({ vector: false, textsearch: false });
});

afterAll(async () => {
  await server?.stop();
});

it('fails migration on a server without pgvector with PG_VECTOR_MISSING, naming the fix and the version HNSW needs', async () => {
  const pool = createPool({ url: server.url, log: () => {} });
  try {
    const error = await migrate(pool, server.url).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'PG_VECTOR_MISSING', detail: 'This server has no pgvector package: pg_available_extensions has no "vector".' });
    expect((error as Error).message).toContain('CREATE EXTENSION vector;');
    expect((error as Error).message).toContain('version 0.5 or later');
  } finally {
    await pool.end();
  }
});
