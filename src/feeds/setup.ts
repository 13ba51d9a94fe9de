import type { Config, FeedsConfig } from '../config.js';
import { articleFetcher } from './article.js';
import { DEFAULT_LIMITS, type FetchLimits } from './fetch.js';
import { ingestFeed, type FeedResult } from './ingest.js';
import { createPoller, type Poller } from './poller.js';
import { feedStatusPath, loadFeedStatus, saveFeedStatus } from './status-file.js';
import { FeedStore } from './store.js';

/** Article pages are fetched at most once a second per host. */
export const ARTICLE_HOST_DELAY_MS = 1000;
/** Article pages are smaller than feeds; anything bigger is not an article. */
const ARTICLE_MAX_BYTES = 5 * 1024 * 1024;

export interface FeedIngester {
  ingest(source: string): Promise<FeedResult>;
}

/**
 * The configured way to ingest one feed into `corpusDir`: limits from FEED_TIMEOUT_SECONDS,
 * article pages with FETCH_ARTICLES. The store is opened per call, so items another process
 * (`npm run ingest`) wrote meanwhile count as seen. An item deleted by hand stays seen: it is
 * not fetched again.
 */
export function feedIngester(corpusDir: string, config: FeedsConfig, log: (line: string) => void, overrides: Partial<FetchLimits> = {}): FeedIngester {
  const limits: FetchLimits = { ...DEFAULT_LIMITS, timeoutMs: config.timeoutSeconds * 1000, ...overrides };
  const fetchArticle = config.fetchArticles
    ? articleFetcher({ limits: { ...limits, maxBytes: Math.min(limits.maxBytes, ARTICLE_MAX_BYTES) }, hostDelayMs: ARTICLE_HOST_DELAY_MS })
    : null;
  return {
    async ingest(source) {
      const store = await FeedStore.open(corpusDir);
      return ingestFeed(source, { store, limits, fetchArticle, log });
    },
  };
}

/**
 * The poller for FEEDS, re-indexing through `reindex` (the running bot passes engine.reindex,
 * which swaps the new index in), its status kept in DATA_DIR/feeds-status.json across restarts;
 * null when no feeds are configured.
 */
export async function feedPollerFromConfig(
  config: Pick<Config, 'corpusDir' | 'dataDir' | 'feeds'>,
  reindex: () => Promise<unknown>,
  log: (line: string) => void,
): Promise<Poller | null> {
  if (config.feeds.urls.length === 0) return null;
  const path = feedStatusPath(config.dataDir);
  const { statuses, problem } = await loadFeedStatus(path);
  if (problem) log(JSON.stringify({ event: 'warning', where: 'feeds-status', message: problem }));
  const ingester = feedIngester(config.corpusDir, config.feeds, (line) => log(JSON.stringify({ event: 'feeds', message: line })));
  return createPoller({
    feeds: config.feeds.urls,
    intervalMs: config.feeds.pollMinutes * 60_000,
    ingest: (url) => ingester.ingest(url),
    reindex,
    log: (fields) => log(JSON.stringify(fields)),
    saved: statuses,
    persist: (current) => saveFeedStatus(path, current),
  });
}
