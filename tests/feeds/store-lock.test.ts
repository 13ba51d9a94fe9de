/** FeedStore.commit's lock on corpus/feeds/.seen.json: waits for a live holder, takes over a stale one, gives up with FEEDS_LOCKED. */
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import lockfile from 'proper-lockfile';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dedupeKeys, FeedStore } from '../../src/feeds/store.js';
import type { FeedItem } from '../../src/feeds/types.js';

let corpus: string;
beforeEach(async () => {
  corpus = await mkdtemp(join(tmpdir(), 'newsdesk-store-lock-'));
  await mkdir(join(corpus, 'feeds'));
});
afterEach(() => rm(corpus, { recursive: true, force: true }));

const item = (title: string): FeedItem => ({ guid: title, url: null, title, outlet: 'Harbor Gazette', date: '2025-03-07', text: `${title}.`, feed: 'test' });
const seenFile = () => join(corpus, 'feeds', '.seen.json');
const written = async () => (await readdir(join(corpus, 'feeds', 'harbor-gazette')).catch(() => [])).sort();

describe('FeedStore.commit', () => {
  it('waits for a lock another holder releases, then skips what that holder wrote meanwhile', async () => {
    const mine = await FeedStore.open(corpus, { extraKeys: false });
    const release = await lockfile.lock(seenFile(), { realpath: false });
    const pending = mine.commit([{ item: item('Ferry line approved'), body: 'Text.' }, { item: item('Storm nears'), body: 'Text.' }]);
    // Meanwhile the holder (another process) records "Ferry line approved" as seen, then lets go.
    await writeFile(seenFile(), JSON.stringify({ keys: dedupeKeys(item('Ferry line approved')) }));
    await new Promise((done) => setTimeout(done, 100));
    await release();
    expect(await pending).toEqual([{ duplicate: true }, { written: 'feeds/harbor-gazette/2025-03-07-storm-nears.md' }]);
    expect(await written()).toEqual(['2025-03-07-storm-nears.md']);
  });

  it('takes over a lock left by a process that died (not refreshed for over 10 s)', async () => {
    const lockDir = `${seenFile()}.lock`;
    await mkdir(lockDir);
    const old = new Date(Date.now() - 60_000);
    await utimes(lockDir, old, old);
    const store = await FeedStore.open(corpus, { extraKeys: false, lockRetries: 0 });
    expect(await store.commit([{ item: item('Storm nears'), body: 'Text.' }])).toEqual([{ written: 'feeds/harbor-gazette/2025-03-07-storm-nears.md' }]);
  });

  it('gives up with FEEDS_LOCKED, writing nothing, while a live lock stays held', async () => {
    const release = await lockfile.lock(seenFile(), { realpath: false });
    try {
      const store = await FeedStore.open(corpus, { extraKeys: false, lockRetries: 1 });
      await expect(store.commit([{ item: item('Storm nears'), body: 'Text.' }])).rejects.toMatchObject({ code: 'FEEDS_LOCKED' });
      expect(await written()).toEqual([]);
    } finally {
      await release();
    }
  });
});
