import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { handleSignals, watchParent } from '../../src/cli/lifecycle.js';
import { runCli } from '../support/run-cli.js';

describe('claimProcessErrors', () => {
  it("logs stray rejections and exceptions and keeps running, over @energetic-ai/core's rethrowing handlers, even ones added later", async () => {
    const result = await runCli('tests/support/stray-errors.ts', [], {});
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n').map((l) => JSON.parse(l))).toEqual([
      { event: 'error', where: 'unhandledRejection', error: 'Error stray rejection' },
      { event: 'error', where: 'uncaughtException', error: 'Error thrown in a timer' },
      { event: 'error', where: 'unhandledRejection', error: 'Error after a late handler' },
      { alive: true },
    ]);
  });

  it('without it, the first stray rejection kills the process (what the guard is for)', async () => {
    const result = await runCli('tests/support/stray-errors.ts', ['unguarded'], {});
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('stray rejection');
    expect(result.stdout).not.toContain('alive');
  });
});

function fakeProcess() {
  const proc = new EventEmitter();
  const exits: number[] = [];
  const logs: Array<Record<string, unknown>> = [];
  let finishStop!: () => void;
  let stops = 0;
  let reloads = 0;
  let clock = 0;
  handleSignals({
    proc,
    log: (f) => logs.push(f),
    exit: (code) => exits.push(code),
    now: () => clock,
    stop: () => {
      stops += 1;
      return new Promise<void>((resolve) => (finishStop = resolve));
    },
    reload: async () => {
      reloads += 1;
    },
  });
  return {
    proc, exits, logs,
    advance: (ms: number) => (clock += ms),
    finish: async () => {
      finishStop();
      await new Promise((r) => setImmediate(r));
    },
    stops: () => stops,
    reloads: () => reloads,
  };
}

describe('handleSignals', () => {
  it('SIGTERM twice at once (group + npm relay) is one stop that drains, then exit 0', async () => {
    const p = fakeProcess();
    p.proc.emit('SIGTERM');
    p.proc.emit('SIGTERM');
    expect(p.stops()).toBe(1);
    expect(p.exits).toEqual([]);
    await p.finish();
    expect(p.exits).toEqual([0]);
    expect(p.logs).toEqual([{ event: 'shutdown', reason: 'SIGTERM' }]);
  });

  it('a second Ctrl-C after the repeat window forces exit 1; SIGHUP reloads', async () => {
    const p = fakeProcess();
    p.proc.emit('SIGHUP');
    p.proc.emit('SIGINT');
    p.advance(2500);
    p.proc.emit('SIGINT');
    expect(p.exits).toEqual([1]);
    expect(p.reloads()).toBe(1);
    expect(p.logs.at(-1)).toEqual({ event: 'shutdown', reason: 'SIGINT', forced: true });
  });
});

describe('watchParent', () => {
  it('calls onGone once when the parent pid changes (npm died and we were re-parented)', async () => {
    let ppid = 100;
    const gone: number[] = [];
    const stop = watchParent({ ppid: () => ppid, onGone: (p) => gone.push(p), intervalMs: 5 });
    await new Promise((r) => setTimeout(r, 20));
    expect(gone).toEqual([]);
    ppid = 1;
    await vi.waitFor(() => expect(gone).toEqual([100]));
    await new Promise((r) => setTimeout(r, 20));
    expect(gone).toEqual([100]);
    stop();
  });
});
