/**
 * The life of the `npm start` process under a supervisor: who handles stray errors, what each
 * signal does, and what happens when npm (our parent) dies. No Discord here: start.ts wires it.
 */
import type { EventEmitter } from 'node:events';
import { describeError } from '../errors.js';

type LogFields = Record<string, unknown>;
type Log = (fields: LogFields) => void;

const ERROR_EVENTS = ['uncaughtException', 'unhandledRejection'] as const;

/**
 * Makes Newsdesk's handlers the only ones for stray errors: they log and the process keeps
 * running. Libraries install handlers that rethrow (the WASM backend under @energetic-ai/core
 * does, on import), which turns one stray rejection into a dead bot; those are removed now and
 * whenever one is added later. Returns a function that restores nothing but stops the guard.
 */
export function claimProcessErrors(log: Log, proc: EventEmitter = process): () => void {
  const ours = new Map<string, (error: unknown) => void>();
  for (const event of ERROR_EVENTS) {
    const handler = (error: unknown) => log({ event: 'error', where: event, error: describeError(error) });
    ours.set(event, handler);
    for (const listener of proc.listeners(event)) proc.removeListener(event, listener as (...args: unknown[]) => void);
    proc.on(event, handler);
  }
  const evict = (event: string | symbol, listener: (...args: unknown[]) => void) => {
    if (typeof event !== 'string' || !ours.has(event) || listener === ours.get(event)) return;
    // newListener fires before the listener is added: remove it once it is there.
    process.nextTick(() => proc.removeListener(event, listener));
  };
  proc.on('newListener', evict);
  return () => {
    proc.removeListener('newListener', evict);
    for (const [event, handler] of ours) proc.removeListener(event, handler);
  };
}

export interface SignalOptions {
  log: Log;
  /** Stops taking work, drains what is in flight, disconnects. */
  stop: () => Promise<void>;
  /** SIGHUP: pick up a new index. */
  reload: () => Promise<unknown>;
  exit: (code: number) => void;
  /**
   * A second SIGINT/SIGTERM within this window is the same request, not an impatient one: a
   * signal to the process group under `npm start` arrives twice (from the kernel and relayed by
   * npm). Default 2000 ms.
   */
  repeatWindowMs?: number;
  now?: () => number;
  proc?: EventEmitter;
}

/**
 * SIGINT/SIGTERM: drain and exit 0 (1 if stopping failed); the same signal again after the
 * repeat window forces exit 1. SIGHUP: reload. Returns `shutdown` for other reasons to stop.
 */
export function handleSignals(options: SignalOptions): { shutdown: (reason: string) => void } {
  const { log, exit } = options;
  const proc = options.proc ?? process;
  const now = options.now ?? Date.now;
  const repeatWindowMs = options.repeatWindowMs ?? 2000;
  let firstAt: number | null = null;
  const shutdown = (reason: string) => {
    if (firstAt !== null) {
      if (now() - firstAt < repeatWindowMs) return;
      log({ event: 'shutdown', reason, forced: true });
      exit(1);
      return;
    }
    firstAt = now();
    log({ event: 'shutdown', reason });
    options.stop().then(
      () => exit(0),
      (error: unknown) => {
        log({ event: 'shutdown', ok: false, error: describeError(error) });
        exit(1);
      },
    );
  };
  proc.on('SIGINT', () => shutdown('SIGINT'));
  proc.on('SIGTERM', () => shutdown('SIGTERM'));
  proc.on('SIGHUP', () => {
    options.reload().catch((error: unknown) => log({ event: 'reload', ok: false, error: describeError(error) }));
  });
  return { shutdown };
}

export interface ParentWatchOptions {
  /** The parent's pid now (process.ppid is read live). */
  ppid: () => number;
  onGone: (oldParent: number) => void;
  intervalMs?: number;
}

/**
 * Calls onGone once when our parent process goes away (we are re-parented). Under `npm start`,
 * npm relays only SIGINT and SIGTERM: a SIGHUP or SIGKILL to npm kills npm alone, and without
 * this the bot would run on, orphaned, where no supervisor can stop it.
 */
export function watchParent(options: ParentWatchOptions): () => void {
  const parent = options.ppid();
  const timer = setInterval(() => {
    if (options.ppid() === parent) return;
    clearInterval(timer);
    options.onGone(parent);
  }, options.intervalMs ?? 1000);
  timer.unref();
  return () => clearInterval(timer);
}
