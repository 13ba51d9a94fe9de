import type pg from 'pg';
import { describeError } from '../../../errors.js';
import { currentBuildId, type Database } from './builds.js';
import { createPool } from './connect.js';
import { BUILD_CHANNEL } from './migrate.js';

export interface BuildWatchOptions {
  /** Called with the published build whenever it differs from the last one seen. */
  onBuild: (build: string) => void | Promise<void>;
  /** The build already loaded. */
  current: string | null;
  /** How often current_build is read as well (default 5 s). */
  pollMs?: number;
  log: (line: string) => void;
}

export interface BuildWatch {
  /** Reads current_build now (the poll does this on its timer). */
  check(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Learns of builds other processes publish: LISTEN for the NOTIFY a build sends, and read
 * current_build every few seconds as well, since not every path to the server delivers
 * notifications: a transaction pooler such as PgBouncer, a LISTEN connection that dropped, or
 * PGlite's multiplexer (one backend behind every connection: a NOTIFY goes back to its sender).
 */
export async function watchBuilds(db: Database, options: BuildWatchOptions): Promise<BuildWatch> {
  let seen = options.current;
  let closed = false;
  let checking: Promise<void> | null = null;
  const check = (): Promise<void> => {
    checking ??= (async () => {
      try {
        const build = await currentBuildId(db);
        if (build && build !== seen && !closed) {
          seen = build;
          await options.onBuild(build);
        }
      } catch (error) {
        options.log(`postgres: could not read current_build (${describeError(error)}); trying again later`);
      } finally {
        checking = null;
      }
    })();
    return checking;
  };
  const listener = await listen(db, check, options.log);
  const timer = setInterval(() => void check(), options.pollMs ?? 5000);
  timer.unref();
  return {
    check,
    async close() {
      closed = true;
      clearInterval(timer);
      await checking;
      listener?.release(true);
    },
  };
}

async function listen(db: Database, onNotify: () => void, log: (line: string) => void): Promise<pg.PoolClient | null> {
  try {
    const client = await db.pool.connect();
    client.on('notification', (message) => {
      if (message.channel === BUILD_CHANNEL) onNotify();
    });
    // A LISTEN connection that drops is not re-established: the poll carries on.
    client.on('error', (error) => log(`postgres: LISTEN connection lost (${describeError(error)}); polling current_build`));
    await client.query(`LISTEN ${BUILD_CHANNEL}`);
    return client;
  } catch (error) {
    log(`postgres: LISTEN failed (${describeError(error)}); polling current_build`);
    return null;
  }
}

export interface PostgresIndexWatchOptions {
  url: string;
  pollSeconds: number;
  engine: { reload(): Promise<boolean> };
  log: (fields: Record<string, unknown>) => void;
}

/** watchIndex's counterpart for STORE=postgres: reloads the engine when another process publishes. */
export async function watchPostgresIndex(options: PostgresIndexWatchOptions): Promise<{ reloadNow(): Promise<boolean>; close(): void }> {
  const line = (message: string) => options.log({ event: 'watch', store: 'postgres', message });
  const db: Database = { pool: createPool({ url: options.url, log: line, max: 2 }), url: options.url };
  const reloadNow = async (): Promise<boolean> => {
    try {
      const changed = await options.engine.reload();
      if (changed) options.log({ event: 'reload', ok: true });
      return changed;
    } catch (error) {
      options.log({ event: 'reload', ok: false, error: describeError(error) });
      return false;
    }
  };
  const current = await currentBuildId(db).catch(() => null);
  const watch = await watchBuilds(db, { current, pollMs: options.pollSeconds * 1000, log: line, onBuild: () => reloadNow().then(() => {}) });
  return {
    reloadNow,
    close: () => void watch.close().then(() => db.pool.end()),
  };
}
