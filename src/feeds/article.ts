import { Readability } from '@mozilla/readability';
import { parseHTML } from 'linkedom';
import { fetchText, type FetchLimits } from './fetch.js';
import { htmlToText } from './html.js';
import { hostOf } from './parse.js';

/** Below this, Readability found a teaser or a cookie banner rather than the article. */
const MIN_ARTICLE_CHARS = 200;

/** The main text of an article page, via Readability on linkedom's DOM; null when none is found. */
export function extractArticle(html: string): string | null {
  const { document } = parseHTML(html);
  // linkedom's document is DOM-shaped enough for Readability, though not typed as lib.dom's.
  const article = new Readability(document as unknown as ConstructorParameters<typeof Readability>[0]).parse();
  const text = article?.content ? htmlToText(article.content) : '';
  return text.length >= MIN_ARTICLE_CHARS ? text : null;
}

export interface ArticleFetcherOptions {
  limits: FetchLimits;
  /** Minimum time between two requests to the same host. */
  hostDelayMs: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

export type ArticleFetcher = (url: string) => Promise<string>;

/**
 * Fetches article pages politely: one host is asked at most once per `hostDelayMs`, with the
 * same timeout, size cap and User-Agent as feeds. Throws FEED_UNREACHABLE, or returns the text.
 */
export function articleFetcher(options: ArticleFetcherOptions): ArticleFetcher {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((done) => setTimeout(done, ms)));
  const now = options.now ?? Date.now;
  const nextSlot = new Map<string, number>();
  // Requests are chained so concurrent callers still respect the per-host spacing.
  let queue: Promise<unknown> = Promise.resolve();
  return (url) => {
    const run = queue.then(async () => {
      const host = hostOf(url) ?? url;
      const wait = (nextSlot.get(host) ?? 0) - now();
      if (wait > 0) await sleep(wait);
      nextSlot.set(host, now() + options.hostDelayMs);
      const page = await fetchText(url, { ...options.limits, accept: 'text/html,application/xhtml+xml' });
      const text = extractArticle(page.body);
      if (!text) throw new Error('no article text found on the page');
      return text;
    });
    queue = run.catch(() => {});
    return run;
  };
}
