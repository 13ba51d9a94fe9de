import pg from 'pg';
import { NewsdeskError, describeError } from '../../../errors.js';

export type Pool = pg.Pool;
export type PoolClient = pg.PoolClient;

export interface PoolOptions {
  url: string;
  log: (line: string) => void;
  /** Connections in the pool (default 4: a bot asks one question at a time per shard). */
  max?: number;
}

/** A pool for DATABASE_URL. A connection that dies while idle is logged and replaced, never fatal. */
export function createPool(options: PoolOptions): Pool {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 4,
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
    // A one-shot command (npm run ask) exits when its work is done, without closing the pool.
    allowExitOnIdle: true,
  });
  pool.on('error', (error) => options.log(`postgres: an idle connection was lost (${describeError(error)}); the next query opens a new one`));
  return pool;
}

/** The server and database of a connection string, for messages: never the password. */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port || '5432'}${parsed.pathname}`;
  } catch {
    return '(DATABASE_URL is not a URL)';
  }
}

const CONNECTION_CODES = new Set([
  'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN',
  // SQLSTATE class 08 (connection exception) and 57P0x (the server is shutting down or restarting).
  '08000', '08001', '08003', '08004', '08006', '57P01', '57P02', '57P03',
]);

/** Whether `error` is the connection failing (worth one retry on a new one) rather than the query. */
export function isConnectionError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && CONNECTION_CODES.has(code)) return true;
  const message = error instanceof Error ? error.message : '';
  return /Connection terminated|connection timeout|Client has encountered a connection error|not queryable/i.test(message);
}

/**
 * Runs `fn` on a pooled connection. A connection that drops under it (a server restart, a failover,
 * a network blip) is thrown away and `fn` runs once more on a new one; only reads and whole
 * transactions go through here, so running them again is safe. A server that stays unreachable
 * is PG_UNREACHABLE.
 */
export async function withClient<T>(pool: Pool, url: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  try {
    return await attempt(pool, fn);
  } catch (error) {
    if (!isConnectionError(error)) throw error;
  }
  try {
    return await attempt(pool, fn);
  } catch (error) {
    if (isConnectionError(error)) throw new NewsdeskError('PG_UNREACHABLE', `${describeUrl(url)}: ${describeError(error)}`, { cause: error });
    throw error;
  }
}

async function attempt<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A connection that ends under a query also emits 'error'; the query's own rejection reports it.
  const ignore = () => {};
  client.on('error', ignore);
  try {
    const result = await fn(client);
    client.removeListener('error', ignore);
    client.release();
    return result;
  } catch (error) {
    client.removeListener('error', ignore);
    // A connection that failed is destroyed rather than handed to the next query.
    client.release(isConnectionError(error) ? (error as Error) : undefined);
    throw error;
  }
}

/** `fn` inside BEGIN … COMMIT, rolled back on any error. */
export async function inTransaction<T>(client: PoolClient, fn: () => Promise<T>): Promise<T> {
  await client.query('BEGIN');
  try {
    const result = await fn();
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  }
}
