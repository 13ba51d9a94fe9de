import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { NewsdeskError } from '../../src/errors.js';

describe('feed settings in loadConfig', () => {
  it('defaults to no feeds, a 30-minute poll, no article fetching and a 30 s timeout', () => {
    expect(loadConfig({}).feeds).toEqual({ urls: [], pollMinutes: 30, fetchArticles: false, timeoutSeconds: 30 });
  });

  it('reads FEEDS separated by commas and newlines, dropping blanks and repeats', () => {
    const config = loadConfig({ FEEDS: 'http://127.0.0.1/a.xml, https://example.org/b\n\nhttp://127.0.0.1/a.xml\n', FEED_POLL_MINUTES: '5', FETCH_ARTICLES: 'true' });
    expect(config.feeds).toEqual({ urls: ['http://127.0.0.1/a.xml', 'https://example.org/b'], pollMinutes: 5, fetchArticles: true, timeoutSeconds: 30 });
  });

  it('reports every bad feed setting at once, naming each variable', () => {
    let error: NewsdeskError | undefined;
    try {
      loadConfig({ FEEDS: 'ftp://x/feed, not a url,http://ok.example/rss', FEED_POLL_MINUTES: '0', FETCH_ARTICLES: 'sometimes', FEED_TIMEOUT_SECONDS: '999' });
    } catch (caught) {
      error = caught as NewsdeskError;
    }
    expect(error?.code).toBe('CONFIG_INVALID');
    expect(error?.detail?.split('\n')).toEqual([
      '- FEEDS: "ftp://x/feed", "not a url" is not an http(s) URL.',
      '- FEED_POLL_MINUTES: "0" is not a whole number from 1 to 10080.',
      '- FETCH_ARTICLES: "sometimes" is not true or false.',
      '- FEED_TIMEOUT_SECONDS: "999" is not a whole number from 1 to 300.',
    ]);
  });
});
