import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { watchIndex, type IndexWatcher } from '../../src/index/watch.js';

let dir: string;
let watcher: IndexWatcher | null = null;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'newsdesk-reload-'));
});

afterEach(async () => {
  watcher?.close();
  watcher = null;
  await rm(dir, { recursive: true, force: true });
});

/** An engine whose reload() counts calls and can be held open. */
function stubEngine() {
  const state = { calls: 0, changed: true, gate: null as Promise<void> | null };
  return {
    state,
    engine: {
      async reload() {
        state.calls += 1;
        if (state.gate) await state.gate;
        return state.changed;
      },
    },
  };
}

describe('watchIndex', () => {
  it('reloads the engine after a new build and CURRENT land in <dataDir>/index', async () => {
    const { state, engine } = stubEngine();
    const logs: unknown[] = [];
    watcher = await watchIndex({ dataDir: dir, engine, log: (f) => logs.push(f), debounceMs: 50 });
    await mkdir(join(dir, 'index', 'builds', 'b1'), { recursive: true });
    await writeFile(join(dir, 'index', 'builds', 'b1', 'manifest.json'), '{}');
    await writeFile(join(dir, 'index', 'CURRENT.tmp'), 'b1\n');
    await writeFile(join(dir, 'index', 'CURRENT'), 'b1\n');
    await vi.waitFor(() => expect(state.calls).toBeGreaterThanOrEqual(1), { timeout: 5000, interval: 20 });
    expect(logs[0]).toEqual({ event: 'reload', ok: true });
  });

  it('reloadNow (SIGHUP) coalesces with a reload in flight and reports whether the index changed', async () => {
    const { state, engine } = stubEngine();
    let open!: () => void;
    state.gate = new Promise<void>((r) => (open = r));
    watcher = await watchIndex({ dataDir: dir, engine, log: () => {} });
    const first = watcher.reloadNow();
    const second = watcher.reloadNow();
    open();
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    // One run, then one more for the request that came in meanwhile.
    expect(state.calls).toBe(2);
    state.changed = false;
    state.gate = null;
    expect(await watcher.reloadNow()).toBe(false);
  });

  it('logs a failed reload and keeps going', async () => {
    const logs: Array<Record<string, unknown>> = [];
    watcher = await watchIndex({
      dataDir: dir,
      engine: { reload: () => Promise.reject(new Error('bad build')) },
      log: (f) => logs.push(f),
    });
    expect(await watcher.reloadNow()).toBe(false);
    expect(logs).toEqual([{ event: 'reload', ok: false, error: 'Error bad build' }]);
  });
});

describe('watchIndex in operation', () => {
  /** A complete-looking build `name` and CURRENT naming it. */
  async function writeBuild(name: string): Promise<void> {
    await mkdir(join(dir, 'index', 'builds', name), { recursive: true });
    await writeFile(join(dir, 'index', 'builds', name, 'manifest.json'), '{}');
    await writeFile(join(dir, 'index', 'builds', name, 'chunks.json'), '[1,2,3,4,5,6,7,8,9]');
    await writeFile(join(dir, 'index', 'CURRENT'), `${name}\n`);
  }

  it('re-arms itself after data/index/ is removed, says so, and picks up a later re-index', async () => {
    const { state, engine } = stubEngine();
    const logs: Array<Record<string, unknown>> = [];
    watcher = await watchIndex({ dataDir: dir, engine, log: (f) => logs.push(f), debounceMs: 20, checkMs: 50 });
    await rm(join(dir, 'index'), { recursive: true, force: true });
    await vi.waitFor(() => expect(logs.some((l) => l.event === 'watch')).toBe(true), { timeout: 5000, interval: 20 });
    expect(logs.find((l) => l.event === 'watch')).toEqual({
      event: 'watch',
      rearmed: true,
      dir: join(dir, 'index'),
      reason: 'the directory was removed',
    });
    const before = state.calls;
    await new Promise((r) => setTimeout(r, 100));
    await writeBuild('b2');
    await vi.waitFor(() => expect(state.calls).toBeGreaterThan(before), { timeout: 5000, interval: 20 });
  });

  it('logs a live build truncated or deleted while running, once per file and problem', async () => {
    await writeBuild('b1');
    const logs: Array<Record<string, unknown>> = [];
    watcher = await watchIndex({ dataDir: dir, engine: stubEngine().engine, log: (f) => logs.push(f), debounceMs: 20, checkMs: 50 });
    await writeFile(join(dir, 'index', 'builds', 'b1', 'chunks.json'), '[1]');
    await rm(join(dir, 'index', 'builds', 'b1', 'manifest.json'));
    const damaged = () => logs.filter((l) => l.event === 'index-damaged');
    await vi.waitFor(() => expect(damaged()).toHaveLength(2), { timeout: 5000, interval: 20 });
    const effect = 'still answering from memory; a restart falls back to the previous build. Run npm run reindex.';
    expect(damaged()).toEqual(
      expect.arrayContaining([
        { event: 'index-damaged', build: 'b1', file: 'chunks.json', problem: 'truncated from 19 to 3 bytes', effect },
        { event: 'index-damaged', build: 'b1', file: 'manifest.json', problem: 'deleted', effect },
      ]),
    );
    await new Promise((r) => setTimeout(r, 200));
    expect(damaged()).toHaveLength(2);
  });

  it('does not call a build replaced by a new one damaged', async () => {
    await writeBuild('b1');
    const logs: Array<Record<string, unknown>> = [];
    watcher = await watchIndex({ dataDir: dir, engine: stubEngine().engine, log: (f) => logs.push(f), debounceMs: 20, checkMs: 50 });
    await writeBuild('b2');
    await new Promise((r) => setTimeout(r, 200));
    await rm(join(dir, 'index', 'builds', 'b1'), { recursive: true });
    await new Promise((r) => setTimeout(r, 200));
    expect(logs.filter((l) => l.event === 'index-damaged')).toEqual([]);
  });
});
