/**
 * Picks up an index that another process wrote (`npm run reindex`): watches `<dataDir>/index/`,
 * where the CURRENT file names the live build, and calls `engine.reload()` shortly after it changes
 * (debounced: a build writes several files). `reloadNow()` is for SIGHUP. Reloads never overlap,
 * and a failed one is logged; the engine keeps answering from the build it has. If data/index/ is
 * removed, the watch is armed again (and logged). A live build truncated or deleted on disk is
 * logged: the engine answers from memory, but a restart would fall back to the previous build.
 */
import { watch, type FSWatcher } from 'node:fs';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describeError } from '../errors.js';
import { buildFiles, buildPath, currentBuild } from './store.js';
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
  /** How often to check that the watch still holds and the live build is intact (default 2 s). */
  checkMs?: number;
  /** STORE=postgres: watch the database's current_build (LISTEN/NOTIFY and polling) instead. */
  postgres?: { url: string; pollSeconds: number };
}

export async function watchIndex(options: WatchOptions): Promise<IndexWatcher> {
  if (options.postgres) {
    const { watchPostgresIndex } = await import('./stores/postgres/watch.js');
    return watchPostgresIndex({ ...options.postgres, engine: options.engine, log: options.log });
  }
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
      void check();
    }, debounceMs);
    timer.unref();
  };

  let watcher: FSWatcher | null = null;
  let poller: NodeJS.Timeout | null = null;
  let armedIno: number | null = null;
  const arm = async (): Promise<void> => {
    watcher?.close();
    watcher = null;
    await mkdir(dir, { recursive: true });
    armedIno = (await stat(dir)).ino;
    watcher = watch(dir, { persistent: false }, schedule);
    watcher.on('error', (error) => {
      options.log({ event: 'reload', ok: false, error: `watching ${dir} stopped: ${describeError(error)}` });
      watcher?.close();
      watcher = null;
      armedIno = null; // the next check arms it again
    });
  };
  try {
    await arm();
  } catch (error) {
    options.log({ event: 'reload', ok: false, error: `cannot watch ${dir}: ${describeError(error)}; polling instead` });
    startPolling();
  }

  // fs.watch on a directory that is removed (or replaced by a new one) goes quiet for good, with no
  // error: check now and then that it still watches the directory there is, and arm it again.
  const rearmIfGone = async (): Promise<void> => {
    if (closed || poller) return;
    const ino = await stat(dir).then((s) => s.ino, () => null);
    if (ino !== null && ino === armedIno && watcher) return;
    try {
      await arm();
      options.log({ event: 'watch', rearmed: true, dir, reason: ino === null ? 'the directory was removed' : 'the directory was replaced' });
      void reloadNow();
    } catch (error) {
      options.log({ event: 'watch', rearmed: false, dir, error: describeError(error) });
    }
  };
  const live = liveBuildGuard(options.dataDir, options.log);
  let checking = false;
  const check = async () => {
    if (checking || closed) return;
    checking = true;
    await rearmIfGone().catch(() => {});
    await live.check().catch(() => {});
    checking = false;
  };
  await live.check();
  const checker = setInterval(() => void check(), options.checkMs ?? 2000);
  checker.unref();

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
      clearInterval(checker);
      watcher?.close();
    },
  };
}

/**
 * Notices a live build damaged on disk: records the size of each of its files when it first sees
 * the build CURRENT names, then logs each file that has since shrunk, changed or gone, once.
 */
function liveBuildGuard(dataDir: string, log: (fields: Record<string, unknown>) => void) {
  let guarded: { build: string; sizes: Map<string, number>; reported: Set<string> } | null = null;

  const inspect = async (build: string, sizes: Map<string, number>, reported: Set<string>) => {
    for (const [file, size] of sizes) {
      const now = await stat(join(buildPath(dataDir, build), file)).then((s) => s.size, () => null);
      const problem = now === null ? 'deleted' : now < size ? `truncated from ${size} to ${now} bytes` : now !== size ? `changed from ${size} to ${now} bytes` : null;
      if (!problem || reported.has(`${file}:${problem}`)) continue;
      reported.add(`${file}:${problem}`);
      log({
        event: 'index-damaged',
        build,
        file,
        problem,
        effect: 'still answering from memory; a restart falls back to the previous build. Run npm run reindex.',
      });
    }
  };

  return {
    async check(): Promise<void> {
      const build = await currentBuild(dataDir).catch(() => null);
      // A new build replaced it (pruning may remove the old one): nothing damaged, watch the new one.
      if (build && build !== guarded?.build) {
        const sizes = await buildFiles(dataDir, build).catch(() => null);
        if (sizes) guarded = { build, sizes, reported: new Set() };
        return;
      }
      if (guarded) await inspect(guarded.build, guarded.sizes, guarded.reported);
    },
  };
}
