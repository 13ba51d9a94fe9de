/** One feed item, normalized: what a corpus document is written from. */
export interface FeedItem {
  /** The feed's own id for the item (RSS guid, Atom id, JSON Feed id), if any. */
  guid: string | null;
  url: string | null;
  title: string;
  /** The item's source, else the feed's title, else the feed's host. */
  outlet: string;
  /** YYYY-MM-DD (UTC), or null when the feed gives none that parses. */
  date: string | null;
  /** Summary or content as plain text; may be empty. */
  text: string;
  /** Where the item came from: the feed's URL or file path. */
  feed: string;
}

export interface ParsedFeed {
  format: 'rss' | 'atom' | 'json' | 'rdf';
  title: string | null;
  items: FeedItem[];
  /** Items with neither a title nor any text. */
  skipped: number;
}
