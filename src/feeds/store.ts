import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { parseFile } from '../index/corpus.js';
import { writeFileAtomic } from '../index/fs-atomic.js';
import type { FeedItem } from './types.js';

/** Feed items live in `<corpus>/feeds/<outlet-slug>/<date>-<title-slug>.md`. */
export const FEEDS_DIR = 'feeds';
/** What ingest has already written; not a .md/.txt file, so the corpus reader skips it. */
const SEEN_FILE = '.seen.json';

/** The three ways an item is recognized again: its guid, its url, and its title on its day. */
export function dedupeKeys(item: Pick<FeedItem, 'guid' | 'url' | 'title' | 'date'>): string[] {
  const keys = [`title:${normalizeTitle(item.title)}|${item.date ?? ''}`];
  if (item.guid) keys.push(`guid:${item.guid}`);
  if (item.url) keys.push(`url:${normalizeUrl(item.url)}`);
  return keys;
}

/** Case, accents, punctuation and spacing do not make a headline new. */
export function normalizeTitle(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
}

/** The same page: fragment, default port and a trailing slash are ignored. */
export function normalizeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.hash = '';
    return parsed.href.replace(/\/$/, '');
  } catch {
    return url;
  }
}

export function slugify(text: string, maxLength = 60): string {
  const slug = normalizeTitle(text).replace(/ /g, '-');
  return slug.slice(0, maxLength).replace(/-+$/, '') || 'untitled';
}

/**
 * Whether the corpus reader accepts front matter keys beyond title/outlet/date/url (a YAML reader
 * that keeps them as metadata does; the older `key: value` reader rejects the file). Asked of the
 * reader itself, so feed files carry guid and feed as soon as the reader can take them.
 */
export function readerKeepsExtraKeys(): boolean {
  return parseFile('probe.md', '---\ntitle: Probe\nguid: probe-1\n---\nProbe text.\n').documents.length === 1;
}

export interface RenderOptions {
  /** Also write `guid` and `feed` into the front matter (needs a corpus reader that keeps unknown keys). */
  extraKeys: boolean;
}

/** The item as a front-matter Markdown document; `body` is the summary or the fetched article. */
export function renderDocument(item: FeedItem, body: string, options: RenderOptions = { extraKeys: false }): string {
  const front: Record<string, string> = { title: item.title, outlet: item.outlet };
  if (item.date) front.date = item.date;
  if (item.url) front.url = item.url;
  if (options.extraKeys) {
    if (item.guid) front.guid = item.guid;
    front.feed = item.feed;
  }
  // lineWidth 0: a folded line would break readers of one `key: value` per line.
  return `---\n${stringify(front, { lineWidth: 0 })}---\n${body.trim() || item.title}\n`;
}

/** Without the seen file (lost, or never written), the files' own front matter still says what is there. */
async function keysFromFiles(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(dir, { recursive: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const keys: string[] = [];
  for (const name of names.filter((n) => n.endsWith('.md'))) {
    const front = /^---\n([\s\S]*?)\n---\n/.exec(await readFile(join(dir, name), 'utf8'))?.[1];
    let fields: Record<string, unknown> = {};
    try {
      fields = (front && (parse(front) as Record<string, unknown>)) || {};
    } catch {
      continue;
    }
    const text = (key: string) => (typeof fields[key] === 'string' ? (fields[key] as string) : null);
    const title = text('title');
    if (title) keys.push(...dedupeKeys({ title, date: text('date'), url: text('url'), guid: text('guid') }));
  }
  return keys;
}

/** The written feed items of one corpus, and the keys of every item seen so far. */
export class FeedStore {
  private constructor(
    private readonly dir: string,
    private readonly seen: Set<string>,
    private readonly options: RenderOptions,
  ) {}

  static async open(corpusDir: string, options: RenderOptions = { extraKeys: readerKeepsExtraKeys() }): Promise<FeedStore> {
    const dir = join(corpusDir, FEEDS_DIR);
    let keys: string[];
    try {
      keys = (JSON.parse(await readFile(join(dir, SEEN_FILE), 'utf8')) as { keys: string[] }).keys;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
      keys = await keysFromFiles(dir);
    }
    return new FeedStore(dir, new Set(keys), options);
  }

  isDuplicate(item: FeedItem): boolean {
    return dedupeKeys(item).some((key) => this.seen.has(key));
  }

  /** Writes the item under a name no other item has, and remembers its keys. Returns the path relative to the corpus. */
  async write(item: FeedItem, body: string): Promise<string> {
    const folder = slugify(item.outlet, 40);
    await mkdir(join(this.dir, folder), { recursive: true });
    const stem = `${item.date ?? 'undated'}-${slugify(item.title)}`;
    const content = renderDocument(item, body, this.options);
    for (let n = 1; ; n++) {
      const name = `${stem}${n === 1 ? '' : `-${n}`}.md`;
      try {
        await writeFile(join(this.dir, folder, name), content, { flag: 'wx' });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EEXIST') continue;
        throw error;
      }
      for (const key of dedupeKeys(item)) this.seen.add(key);
      return `${FEEDS_DIR}/${folder}/${name}`;
    }
  }

  /** Persists the seen keys; called after each feed so a crash loses at most one feed's record. */
  async save(): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await writeFileAtomic(join(this.dir, SEEN_FILE), `${JSON.stringify({ keys: [...this.seen].sort() })}\n`);
  }
}
