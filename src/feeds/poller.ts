import { describeError } from '../errors.js';
import { formatFeedResult, type FeedResult } from './ingest.js';

/** What /feeds shows for one feed. */
export interface FeedStatus {
  url: string;
  title: string | null;
  /** Epoch ms of the last attempt, successful or not; null before the first. */
  lastFetch: number | null;
  lastSuccess: number | null;
  /** Items the feed listed at its last successful read. */
  items: number;
  /** Items the poller has written, in all (kept across restarts with the saved status). */
  added: number;
  /** Failures in a row; 0 after a success. */
  failures: number;
  lastError: string | null;
  /** Epoch ms of the next attempt. */
  nextFetch: number;
}

export interface PollerOptions {
  feeds: string[];
  intervalMs: number;
  /** Reads one feed into the corpus; must not throw (ingestFeed doesn't). */
  ingest: (url: string) => Promise<FeedResult>;
  /** Rebuilds and swaps the index after new items (the bot passes engine.reindex). */
  reindex: () => Promise<unknown>;
  log: (fields: Record<string, unknown>) => void;
  now?: () => number;
  /** First retry after a failure; doubles each time, up to the poll interval. */
  retryBaseMs?: number;
  /** Statuses saved by an earlier run (see status-file.ts); feeds no longer configured are dropped. */
  saved?: FeedStatus[];
  /** Saves the statuses after each poll; a failure is logged and polling goes on. */
  persist?: (statuses: FeedStatus[]) => Promise<void>;
}

export interface Poller {
  start(): void;
  /** Stops the timer and waits for a poll in progress. */
  stop(): Promise<void>;
  /** Polls every feed that is due now (all of them on the first call), then re-indexes if anything was added. */
  pollDue(): Promise<void>;
  status(): FeedStatus[];
}

/** Retry delay after `failures` failures in a row: base, 2×base, 4×base… capped at the interval. */
export function backoffMs(failures: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, failures - 1));
}

/**
 * Polls the configured feeds on a timer. One feed failing is logged and retried with backoff
 * while the others go on; a re-index that fails (e.g. busy) is retried on the next poll.
 */
export function createPoller(options: PollerOptions): Poller {
  const now = options.now ?? Date.now;
  const retryBaseMs = options.retryBaseMs ?? 60_000;
  const saved = new Map((options.saved ?? []).map((s) => [s.url, s]));
  const states = new Map<string, FeedStatus>(options.feeds.map((url) => [url, initialStatus(url, saved.get(url), now(), options.intervalMs)]));
  let reindexPending = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let stopped = true;

  async function pollFeed(state: FeedStatus): Promise<void> {
    const result = await options.ingest(state.url);
    state.lastFetch = now();
    state.title = result.title ?? state.title;
    if (result.ok) {
      Object.assign(state, { lastSuccess: state.lastFetch, items: result.items, failures: 0, lastError: null });
      state.added += result.added;
      state.nextFetch = state.lastFetch + options.intervalMs;
      if (result.added > 0) reindexPending = true;
      options.log({ event: 'feed', url: state.url, items: result.items, added: result.added, duplicate: result.duplicate, failed: result.failed });
    } else {
      state.failures += 1;
      state.lastError = result.error;
      const retryIn = backoffMs(state.failures, retryBaseMs, options.intervalMs);
      state.nextFetch = state.lastFetch + retryIn;
      options.log({ event: 'feed', url: state.url, ok: false, failures: state.failures, retryInSeconds: Math.round(retryIn / 1000), error: formatFeedResult(result) });
    }
  }

  async function pollDue(): Promise<void> {
    const due = [...states.values()].filter((s) => s.nextFetch <= now());
    for (const state of due) await pollFeed(state);
    if (due.length > 0) await persist();
    if (!reindexPending) return;
    try {
      await options.reindex();
      reindexPending = false;
      options.log({ event: 'feeds-reindex', ok: true });
    } catch (error) {
      options.log({ event: 'feeds-reindex', ok: false, error: describeError(error) });
    }
  }

  async function persist(): Promise<void> {
    try {
      await options.persist?.(status());
    } catch (error) {
      options.log({ event: 'error', where: 'feeds-status', error: describeError(error) });
    }
  }

  const status = () => [...states.values()].map((s) => ({ ...s }));

  function schedule(): void {
    if (stopped) return;
    const next = Math.min(...[...states.values()].map((s) => s.nextFetch), now() + options.intervalMs);
    // A pending re-index (one that failed) is retried at the next retry slot at the latest.
    const wait = Math.max(1000, (reindexPending ? Math.min(next, now() + retryBaseMs) : next) - now());
    timer = setTimeout(() => {
      running = pollDue()
        .catch((error: unknown) => options.log({ event: 'error', where: 'feeds', error: describeError(error) }))
        .finally(() => {
          running = null;
          schedule();
        });
    }, wait);
    timer.unref();
  }

  return {
    start() {
      if (!stopped || states.size === 0) return;
      stopped = false;
      options.log({ event: 'feeds-start', feeds: states.size, everyMinutes: Math.round(options.intervalMs / 60_000) });
      schedule();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
    },
    pollDue,
    status,
  };
}

/**
 * A feed's status at start: the saved one if there is one, keeping its schedule (a feed that was
 * just read, or is backing off, is not fetched again on every restart) though never further off
 * than one interval; else a fresh one, due now.
 */
function initialStatus(url: string, saved: FeedStatus | undefined, now: number, intervalMs: number): FeedStatus {
  if (!saved) return { url, title: null, lastFetch: null, lastSuccess: null, items: 0, added: 0, failures: 0, lastError: null, nextFetch: now };
  return { ...saved, nextFetch: Math.min(saved.nextFetch, now + intervalMs) };
}
