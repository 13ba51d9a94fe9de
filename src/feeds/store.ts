import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { parse, stringify } from 'yaml';
import { describeError, NewsdeskError } from '../errors.js';
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
  /** How many times `commit` retries a lock another process holds (backing off); 14 by default, about 20 s. */
  lockRetries?: number;
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

/** What `commit` did with one item: its path relative to the corpus, a duplicate, or why it failed. */
export type CommitResult = { written: string } | { duplicate: true } | { error: string };

/** One item to write, with its text (the summary, or the article fetched for it). */
export interface PendingItem {
  item: FeedItem;
  body: string;
}

/**
 * How long `commit` waits for another process's lock (about 20 s in all), and when a lock counts
 * as left behind by a dead process: its holder refreshes it every `update` ms while alive.
 */
const LOCK_OPTIONS = { stale: 10_000, update: 2_000, realpath: false };
const LOCK_RETRIES = { retries: 14, factor: 1.5, minTimeout: 50, maxTimeout: 4_000 };

async function readSeen(dir: string): Promise<Set<string>> {
  try {
    return new Set((JSON.parse(await readFile(join(dir, SEEN_FILE), 'utf8')) as { keys: string[] }).keys);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT' && !(error instanceof SyntaxError)) throw error;
    return new Set(await keysFromFiles(dir));
  }
}

/**
 * The feed items of one corpus and the keys of every item seen. `open` reads a snapshot, good for
 * skipping known items before any fetching; `commit` is the read-modify-write of the seen file,
 * done under a lock shared by every process (the bot's poller, `npm run ingest`), so that two of
 * them reading overlapping feeds write each item exactly once.
 */
export class FeedStore {
  private constructor(
    private readonly dir: string,
    private seen: Set<string>,
    private readonly options: RenderOptions,
  ) {}

  static async open(corpusDir: string, options: RenderOptions = { extraKeys: readerKeepsExtraKeys() }): Promise<FeedStore> {
    const dir = join(corpusDir, FEEDS_DIR);
    return new FeedStore(dir, await readSeen(dir), options);
  }

  isDuplicate(item: FeedItem): boolean {
    return dedupeKeys(item).some((key) => this.seen.has(key));
  }

  /**
   * Under the lock: reads the seen keys again (another process may have added some since `open`),
   * writes each item not seen yet, and saves the keys. FEEDS_LOCKED when the lock stays taken.
   */
  async commit(pending: PendingItem[]): Promise<CommitResult[]> {
    if (pending.length === 0) return [];
    await mkdir(this.dir, { recursive: true });
    let lost: Error | null = null;
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(join(this.dir, SEEN_FILE), { ...LOCK_OPTIONS, retries: { ...LOCK_RETRIES, retries: this.options.lockRetries ?? LOCK_RETRIES.retries }, onCompromised: (error) => void (lost = error) });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw error;
      throw new NewsdeskError('FEEDS_LOCKED', `${join(this.dir, SEEN_FILE)} is locked.`, { cause: error });
    }
    try {
      this.seen = new Set([...this.seen, ...(await readSeen(this.dir))]);
      const results: CommitResult[] = [];
      for (const { item, body } of pending) results.push(await this.writeNew(item, body));
      // A lock taken over as stale means another process may have written meanwhile: don't clobber its keys.
      if (lost) throw new NewsdeskError('FEEDS_LOCKED', `the lock on ${join(this.dir, SEEN_FILE)} was lost: ${describeError(lost)}`);
      await this.save();
      return results;
    } finally {
      await release().catch(() => {});
    }
  }

  private async writeNew(item: FeedItem, body: string): Promise<CommitResult> {
    if (this.isDuplicate(item)) return { duplicate: true };
    try {
      return { written: await this.write(item, body) };
    } catch (error) {
      return { error: describeError(error) };
    }
  }

  /** Writes the item under a name no other item has, and remembers its keys. Returns the path relative to the corpus. */
  private async write(item: FeedItem, body: string): Promise<string> {
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

  private async save(): Promise<void> {
    await writeFileAtomic(join(this.dir, SEEN_FILE), `${JSON.stringify({ keys: [...this.seen].sort() })}\n`);
  }
}
