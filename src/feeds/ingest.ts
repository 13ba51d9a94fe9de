import { readFile } from 'node:fs/promises';
import { describeError, isNewsdeskError, NewsdeskError } from '../errors.js';
import type { ArticleFetcher } from './article.js';
import { fetchText, isPrivateUrl, type FetchLimits } from './fetch.js';
import { parseFeedText } from './parse.js';
import type { CommitResult, FeedStore, PendingItem } from './store.js';
import type { FeedItem } from './types.js';

export interface IngestOptions {
  store: FeedStore;
  limits: FetchLimits;
  /** With FETCH_ARTICLES: fetches an item's page for its full text; any failure keeps the summary. */
  fetchArticle?: ArticleFetcher | null;
  log?: (line: string) => void;
}

/** What one feed gave: counts for the summary and for /feeds. */
export interface FeedResult {
  source: string;
  ok: boolean;
  title: string | null;
  /** Items the feed listed. */
  items: number;
  added: number;
  duplicate: number;
  /** Items that could not be written, or had neither title nor text. */
  failed: number;
  /** Items whose page was fetched and used instead of the summary. */
  articles: number;
  /** Items that kept their summary because the page could not be fetched or read. */
  articleFallbacks: number;
  files: string[];
  error: string | null;
}

const isUrl = (source: string) => /^https?:\/\//i.test(source);

/** Reads one feed (URL or file), writes its new items to the corpus, and never throws. */
export async function ingestFeed(source: string, options: IngestOptions): Promise<FeedResult> {
  const result: FeedResult = {
    source, ok: false, title: null, items: 0, added: 0, duplicate: 0, failed: 0, articles: 0, articleFallbacks: 0, files: [], error: null,
  };
  const log = options.log ?? (() => {});
  try {
    const body = isUrl(source) ? (await fetchText(source, { ...options.limits, accept: FEED_ACCEPT })).body : await readLocal(source);
    const feed = parseFeedText(body, source);
    Object.assign(result, { title: feed.title, items: feed.items.length + feed.skipped, failed: feed.skipped });
    // Fetching (articles too) happens outside the store's lock; only the writing holds it.
    const pending: PendingItem[] = [];
    for (const item of feed.items) {
      if (options.store.isDuplicate(item)) result.duplicate += 1;
      else pending.push({ item, body: await itemText(item, result, options, log) });
    }
    const written = await options.store.commit(pending);
    written.forEach((outcome, i) => count(outcome, pending[i]!.item, result, log));
    result.ok = true;
  } catch (error) {
    result.error = isNewsdeskError(error) ? `${error.code}: ${error.detail ?? error.message}` : describeError(error);
  }
  return result;
}

function count(outcome: CommitResult, item: FeedItem, result: FeedResult, log: (line: string) => void): void {
  if ('written' in outcome) {
    result.files.push(outcome.written);
    result.added += 1;
  } else if ('duplicate' in outcome) {
    // Another process wrote it between our look at the seen list and our turn at the lock.
    result.duplicate += 1;
  } else {
    result.failed += 1;
    log(`feeds: ${result.source}: could not write "${item.title}": ${outcome.error}`);
  }
}

const FEED_ACCEPT = 'application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, application/xml;q=0.8, text/xml;q=0.8, */*;q=0.5';

/** The item's text: its summary, or its article page with FETCH_ARTICLES when that can be fetched. */
async function itemText(item: FeedItem, result: FeedResult, options: IngestOptions, log: (line: string) => void): Promise<string> {
  let body = item.text;
  if (options.fetchArticle && item.url && !mayFetchArticle(result.source, item.url)) {
    result.articleFallbacks += 1;
    log(`feeds: ${item.url}: kept the summary (a private address, named by a feed that is not on one)`);
  } else if (options.fetchArticle && item.url) {
    try {
      body = await options.fetchArticle(item.url);
      result.articles += 1;
    } catch (error) {
      result.articleFallbacks += 1;
      log(`feeds: ${item.url}: kept the summary (${isNewsdeskError(error) ? error.detail : describeError(error)})`);
    }
  }
  return body;
}

/**
 * Article text ends up quoted in public answers, so a feed may not point the fetcher at this
 * machine or a private network unless the feed itself is served from there.
 */
function mayFetchArticle(source: string, url: string): boolean {
  return !isPrivateUrl(url) || (isUrl(source) && isPrivateUrl(source));
}

async function readLocal(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : describeError(error);
    throw new NewsdeskError('FEED_UNREACHABLE', `${path}: ${reason}.`, { cause: error });
  }
}

/** One line per feed, as ingest prints it and the poller logs it. */
export function formatFeedResult(result: FeedResult): string {
  const name = result.title ? `${result.source} (${result.title})` : result.source;
  if (!result.ok) return `feed ${name}: failed: ${result.error}`;
  const articles = result.articles + result.articleFallbacks > 0 ? `, articles ${result.articles} fetched, ${result.articleFallbacks} kept the summary` : '';
  return `feed ${name}: ${result.items} item(s): ${result.added} new, ${result.duplicate} duplicate, ${result.failed} failed${articles}`;
}
