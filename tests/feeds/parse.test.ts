import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { NewsdeskError } from '../../src/errors.js';
import { htmlToText } from '../../src/feeds/html.js';
import { isoDay, parseFeedText } from '../../src/feeds/parse.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8').replaceAll('ARTICLE_BASE', 'http://127.0.0.1:1');

describe('parseFeedText', () => {
  it('reads RSS 2.0 items: guid, link, day, description, and <source> as the outlet over the feed title', () => {
    const feed = parseFeedText(fixture('rss.xml'), 'http://127.0.0.1:1/rss.xml');
    expect(feed).toMatchObject({ format: 'rss', title: 'Harbor Gazette', skipped: 0 });
    expect(feed.items).toEqual([
      {
        guid: 'harbor-1', url: 'http://127.0.0.1:1/articles/ferry.html', title: 'Port authority approves new ferry line',
        outlet: 'Harbor Gazette', date: '2025-03-07',
        text: 'The port authority approved a ferry line between the two islands on Friday.', feed: 'http://127.0.0.1:1/rss.xml',
      },
      {
        guid: 'harbor-2', url: 'http://127.0.0.1:1/articles/storm.html', title: 'Fishing fleet returns early as storm nears',
        outlet: 'Coastal Wire', date: '2025-03-08', text: 'Boats came back two days early.', feed: 'http://127.0.0.1:1/rss.xml',
      },
    ]);
  });

  it('reads Atom entries: id, alternate link, the published day as written, and the HTML summary as paragraphs', () => {
    const feed = parseFeedText(fixture('atom.xml'), 'atom.xml');
    expect(feed.items).toEqual([{
      guid: 'urn:valley:bridge', url: 'http://127.0.0.1/valley/bridge', title: 'Council votes to reopen the old bridge',
      outlet: 'Valley Courier', date: '2025-03-09', text: 'The council voted 7 to 2 to reopen the bridge.\n\nWork starts in April.', feed: 'atom.xml',
    }]);
  });

  it('reads JSON Feed items with content_html stripped', () => {
    const feed = parseFeedText(fixture('feed.json'), 'feed.json');
    expect(feed.format).toBe('json');
    expect(feed.items).toEqual([{
      guid: 'ledger-42', url: 'http://127.0.0.1/ledger/42', title: 'Ski season ends with record snow',
      outlet: 'Mountain Ledger', date: '2025-03-11', text: 'Resorts reported record snow this winter.', feed: 'feed.json',
    }]);
  });

  it('decodes entities and CDATA, prefers content:encoded over the teaser, and drops scripts', () => {
    const [item] = parseFeedText(fixture('entities.xml'), 'entities.xml').items;
    expect(item).toMatchObject({
      title: 'Bakers & grocers “welcome” the new market',
      outlet: 'Smith & Sons Weekly',
      text: 'Stall rents fall by 10 % — vendors say it’s "overdue".\n\nOpening day is Saturday & entry is free.',
    });
  });

  it('says FEED_INVALID naming the feed for malformed XML and for text that is no feed', () => {
    for (const [body, reason] of [[fixture('broken.xml'), 'Invalid feed format'], ['<html><body>hi</body></html>', 'Unrecognized feed format']] as const) {
      let error: NewsdeskError | undefined;
      try {
        parseFeedText(body, 'http://127.0.0.1:1/x.xml');
      } catch (caught) {
        error = caught as NewsdeskError;
      }
      expect([error?.code, error?.detail]).toEqual(['FEED_INVALID', `http://127.0.0.1:1/x.xml: ${reason}.`]);
    }
  });

  it('falls back to the host for a feed with no title, and skips items with neither title nor text', () => {
    const body = '<rss version="2.0"><channel><item><description>Only a body here. More.</description></item><item><link>http://a/b</link></item></channel></rss>';
    const feed = parseFeedText(body, 'http://news.example:8080/feed');
    expect(feed.skipped).toBe(1);
    expect(feed.items.map((i) => [i.title, i.outlet, i.date])).toEqual([['Only a body here.', 'news.example:8080', null]]);
  });
});

describe('isoDay', () => {
  it('keeps the calendar day as the publisher wrote it, and rejects impossible dates', () => {
    expect(['Sat, 08 Mar 2025 23:59:00 -0500', '2025-03-09T23:30:00-02:00', '2025-03-07', 'March 7, 2025', '2025-02-30', 'soon', null].map(isoDay))
      .toEqual(['2025-03-08', '2025-03-09', '2025-03-07', '2025-03-07', null, null, null]);
  });
});

describe('htmlToText', () => {
  it('keeps paragraphs apart, turns <br> into a space within one, and decodes named and numeric entities', () => {
    expect(htmlToText('<div>One&nbsp;two<br>three</div><ul><li>a &lt;b&gt;</li><li>&#233;t&eacute;</li></ul><style>p{}</style>'))
      .toBe('One two three\n\na <b>\n\nété');
  });
});
