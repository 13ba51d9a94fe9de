/**
 * Picks up an index that another process wrote (`npm run reindex`): watches `<dataDir>/index/`,
 * where the CURRENT file names the live build, and calls `engine.reload()` shortly after it changes
 * (debounced: a build writes several files). `reloadNow()` is for SIGHUP. Reloads never overlap,
 * and a failed one is logged; the engine keeps answering from the build it has.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../errors.js';
import type { Engine } from './types.js';

export interface IndexWatcher {
  /** Reloads now (coalescing with one in flight); resolves with whether the index changed. */
  reloadNow(): Promise<boolean>;
  close(): void;
}

export interface WatchOptions {
  dataDir: string;
  engine: Pick<Engine, 'reload'>;
  log: (fields: Record<string, unknown>) => void;
  debounceMs?: number;
  /** Fallback polling when fs.watch is unavailable (some network file systems). */
  pollMs?: number;
}

export async function watchIndex(options: WatchOptions): Promise<IndexWatcher> {
  const dir = join(options.dataDir, 'index');
  const debounceMs = options.debounceMs ?? 300;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<boolean> | null = null;
  let again = false;
  let closed = false;

  const runOnce = async (): Promise<boolean> => {
    try {
      const changed = await options.engine.reload();
      if (changed) options.log({ event: 'reload', ok: true });
      return changed;
    } catch (error) {
      options.log({ event: 'reload', ok: false, error: describeError(error) });
      return false;
    }
  };

  const reloadNow = (): Promise<boolean> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      let changed = false;
      do {
        again = false;
        changed = (await runOnce()) || changed;
      } while (again && !closed);
      return changed;
    })().finally(() => {
      running = null;
    });
    return running;
  };

  const schedule = () => {
    if (closed) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      void reloadNow();
    }, debounceMs);
    timer.unref();
  };

  let watcher: FSWatcher | null = null;
  let poller: NodeJS.Timeout | null = null;
  try {
    await mkdir(dir, { recursive: true });
    watcher = watch(dir, { persistent: false }, schedule);
    watcher.on('error', (error) => {
      options.log({ event: 'reload', ok: false, error: `watching ${dir} stopped: ${describeError(error)}` });
      watcher?.close();
      watcher = null;
      startPolling();
    });
  } catch (error) {
    options.log({ event: 'reload', ok: false, error: `cannot watch ${dir}: ${describeError(error)}; polling instead` });
    startPolling();
  }

  function startPolling() {
    if (closed || poller) return;
    poller = setInterval(() => void reloadNow(), options.pollMs ?? 5000);
    poller.unref();
  }

  return {
    reloadNow,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      if (poller) clearInterval(poller);
      watcher?.close();
    },
  };
}
