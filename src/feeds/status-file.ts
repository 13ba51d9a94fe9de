/**
 * The poller's per-feed status in `<dataDir>/feeds-status.json`, so /feeds keeps its last fetch,
 * item counts and last error across restarts. Written whole and atomically after each poll.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from '../index/fs-atomic.js';
import type { FeedStatus } from './poller.js';

export const FEED_STATUS_FILE = 'feeds-status.json';
const VERSION = 1;

export function feedStatusPath(dataDir: string): string {
  return join(dataDir, FEED_STATUS_FILE);
}

export async function saveFeedStatus(path: string, statuses: FeedStatus[]): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, `${JSON.stringify({ version: VERSION, feeds: statuses }, null, 2)}\n`);
}

/**
 * The saved statuses; none when there is no file yet. A file that cannot be read as one (damaged,
 * or from another version) is reported in `problem` and ignored: the counts start over, nothing fails.
 */
export async function loadFeedStatus(path: string): Promise<{ statuses: FeedStatus[]; problem?: string }> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { statuses: [] };
    return { statuses: [], problem: `${path}: ${(error as Error).message}` };
  }
  try {
    const parsed = JSON.parse(text) as { version?: unknown; feeds?: unknown };
    if (parsed.version !== VERSION || !Array.isArray(parsed.feeds)) throw new Error(`not a version ${VERSION} feed status file`);
    return { statuses: parsed.feeds.filter(isFeedStatus) };
  } catch (error) {
    return { statuses: [], problem: `${path}: ${(error as Error).message}; feed counts start over` };
  }
}

const isNumber = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
const isNullable = (v: unknown, check: (v: unknown) => boolean) => v === null || check(v);
const isString = (v: unknown) => typeof v === 'string';

function isFeedStatus(value: unknown): value is FeedStatus {
  const s = value as Record<string, unknown> | null;
  return (
    typeof s === 'object' && s !== null && isString(s.url) && isNullable(s.title, isString) &&
    isNullable(s.lastFetch, isNumber) && isNullable(s.lastSuccess, isNumber) && isNumber(s.items) &&
    isNumber(s.added) && isNumber(s.failures) && isNullable(s.lastError, isString) && isNumber(s.nextFetch)
  );
}
