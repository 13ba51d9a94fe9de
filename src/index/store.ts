import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { NewsdeskError } from '../errors.js';
import { writeFileAtomic } from './fs-atomic.js';
import { linkSegment, readSegment, writeSegment, type Segment, type SegmentEntry, type SegmentPlan } from './segments.js';
import { loadLexical, type LexicalData } from './term-data.js';
import type { Chunk, Document, Manifest } from './types.js';
import { vectorStoreFactory, type BuildVectorStore, type VectorStoreFactory } from './vector-store.js';

/** Bumped whenever the files below change shape; an older index then asks to be rebuilt. */
export const FORMAT_VERSION = 6;

/** A build's manifest on disk: the segments holding its documents and chunks, in corpus order. */
export interface FileManifest extends Manifest {
  segments: SegmentEntry[];
}

export interface StoredIndex {
  manifest: FileManifest;
  documents: Document[];
  chunks: Chunk[];
  vectors: BuildVectorStore;
}

/** A build to write: its segments (new or linked from the previous build) and its vector store. */
export interface NewIndex {
  manifest: Manifest;
  segments: SegmentPlan[];
  vectors: BuildVectorStore;
}

/** What a build writes beyond documents, chunks and vectors (term data, file records), into its staging directory. */
export type WriteExtras = (dir: string) => Promise<void>;

/*
 * data/index/CURRENT names the live build; each build is a directory of its own under builds/.
 * A build is written completely before CURRENT points at it, so a reader never sees half of one,
 * and a bot holding the previous build keeps answering from memory while the new one lands.
 */
const indexDir = (dataDir: string) => join(dataDir, 'index');
const currentFile = (dataDir: string) => join(indexDir(dataDir), 'CURRENT');
const buildDir = (dataDir: string, build: string) => join(indexDir(dataDir), 'builds', build);
const KEEP_BUILDS = 2;

export async function currentBuild(dataDir: string): Promise<string | null> {
  try {
    return (await readFile(currentFile(dataDir), 'utf8')).trim() || null;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export async function saveIndex(dataDir: string, index: NewIndex, writeExtras?: WriteExtras): Promise<string> {
  // Sortable by time, unique across processes and builds within one millisecond.
  const build = `${index.manifest.builtAt.replace(/[^0-9]/g, '')}-${randomBytes(3).toString('hex')}`;
  const staging = `${buildDir(dataDir, build)}.partial`;
  await mkdir(staging, { recursive: true });
  try {
    // The vector store may write on the thread pool (hnswlib) while the segments are encoded here.
    await settled([
      index.vectors.save(staging),
      (async () => {
        for (const plan of index.segments) {
          if ('write' in plan) await writeSegment(join(staging, plan.name), plan.write, index.manifest.chunking);
          else await linkSegment(plan.linkFrom, plan.name, staging);
        }
        await writeExtras?.(staging);
      })(),
    ]);
    const segments = index.segments.map(({ name, documents, chunks }) => ({ name, documents, chunks }));
    const manifest: FileManifest = { ...index.manifest, segments };
    // The manifest goes last: a build directory with a manifest is a complete one.
    await writeFileAtomic(join(staging, 'manifest.json'), JSON.stringify(manifest, null, 2));
  } catch (error) {
    // Half a build is never read (CURRENT still names the old one); it only takes room.
    await rm(staging, { recursive: true, force: true });
    throw error;
  }
  await rename(staging, buildDir(dataDir, build));
  await writeFileAtomic(currentFile(dataDir), `${build}\n`);
  await pruneBuilds(dataDir, build);
  return build;
}

/** Like Promise.all, but waits for every writer before failing, so none writes into a removed directory. */
async function settled(writers: Array<Promise<unknown>>): Promise<void> {
  const failed = (await Promise.allSettled(writers)).find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** A `.partial` directory this old is left over from a build that died, not one still being written. */
const ABANDONED_MS = 60 * 60 * 1000;

async function pruneBuilds(dataDir: string, keep: string): Promise<void> {
  const names = await readdir(join(indexDir(dataDir), 'builds'));
  const complete = names.filter((name) => !name.endsWith('.partial')).sort().reverse();
  const stale = complete.filter((name) => name !== keep).slice(KEEP_BUILDS - 1);
  for (const name of names.filter((n) => n.endsWith('.partial'))) {
    const age = Date.now() - (await stat(buildDir(dataDir, name)).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > ABANDONED_MS) stale.push(name);
  }
  await Promise.all(stale.map((name) => rm(buildDir(dataDir, name), { recursive: true, force: true })));
}

export async function loadManifest(dataDir: string, build: string): Promise<FileManifest> {
  const manifest = await readJson<FileManifest>(join(buildDir(dataDir, build), 'manifest.json'));
  if (manifest.formatVersion !== FORMAT_VERSION) {
    throw new NewsdeskError(
      'INDEX_MISMATCH',
      `The index is in format ${manifest.formatVersion}; this version reads format ${FORMAT_VERSION}.`,
    );
  }
  return manifest;
}

/** The complete builds on disk other than `except`, newest first (the fallbacks for a damaged live one). */
export async function otherBuilds(dataDir: string, except: string | null): Promise<string[]> {
  let names: string[];
  try {
    names = await readdir(join(indexDir(dataDir), 'builds'));
  } catch {
    return [];
  }
  return names.filter((name) => name !== except && !name.endsWith('.partial')).sort().reverse();
}

/** The files of a build and their sizes, to notice later that one was truncated or deleted. */
export async function buildFiles(dataDir: string, build: string): Promise<Map<string, number>> {
  const dir = buildDir(dataDir, build);
  const sizes = new Map<string, number>();
  for (const name of await readdir(dir)) sizes.set(name, (await stat(join(dir, name))).size);
  return sizes;
}

export const buildPath = buildDir;

/** Loads the live build, or `build`. Throws INDEX_MISSING, INDEX_MISMATCH or INDEX_CORRUPT. */
export async function loadIndex(dataDir: string, build?: string, stores?: VectorStoreFactory): Promise<StoredIndex & LexicalData & { build: string }> {
  stores ??= await vectorStoreFactory();
  build ??= (await currentBuild(dataDir)) ?? undefined;
  if (!build) throw new NewsdeskError('INDEX_MISSING', `No index in ${indexDir(dataDir)}.`);
  const manifest = await loadManifest(dataDir, build);
  const dir = buildDir(dataDir, build);
  // The vector store reads its graph on the thread pool (hnswlib) while the JSON is parsed here.
  const loading = stores.load(dir, manifest.embedder.dimensions).then(
    (store) => ({ store }),
    (error: unknown) => ({ error: new NewsdeskError('INDEX_CORRUPT', `${dir}: ${(error as Error).message}`) }),
  );
  const { documents, chunks } = await readSegments(dir, manifest);
  const lexical = await loadLexical(dir, chunks);
  const loaded = await loading;
  if ('error' in loaded) throw loaded.error;
  const vectors = loaded.store;
  const count = await vectors.count();
  if (count !== chunks.length) {
    throw new NewsdeskError('INDEX_CORRUPT', `${dir} holds ${count} vectors for ${chunks.length} chunks.`);
  }
  return { manifest, documents, chunks, vectors, build, ...lexical };
}

/** The build's segments, read in parallel and joined in corpus order. Throws INDEX_CORRUPT naming a damaged one. */
export async function readSegments(dir: string, manifest: FileManifest): Promise<Segment> {
  return joinSegments(await readSegmentList(dir, manifest));
}

/** The build's segments one by one, in corpus order. Throws INDEX_CORRUPT naming a damaged one. */
export function readSegmentList(dir: string, manifest: FileManifest): Promise<Segment[]> {
  return Promise.all(
    manifest.segments.map(async (entry) => {
      const path = join(dir, entry.name);
      let segment: Segment;
      try {
        segment = await readSegment(path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        throw new NewsdeskError('INDEX_CORRUPT', `${path}: ${code ?? (error as Error).message}`);
      }
      if (segment.documents.length !== entry.documents || segment.chunks.length !== entry.chunks) {
        throw new NewsdeskError('INDEX_CORRUPT', `${path} holds ${segment.documents.length} documents and ${segment.chunks.length} chunks; the manifest says ${entry.documents} and ${entry.chunks}.`);
      }
      return segment;
    }),
  );
}

export function joinSegments(read: readonly Segment[]): Segment {
  const joined: Segment = { files: [], documents: [], chunks: [] };
  // push, not spread or concat per segment: segments can hold tens of thousands of items.
  for (const segment of read) {
    for (const name of segment.files) joined.files.push(name);
    for (const doc of segment.documents) joined.documents.push(doc);
    for (const chunk of segment.chunks) joined.chunks.push(chunk);
  }
  return joined;
}

async function readJson<T>(path: string): Promise<T> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new NewsdeskError('INDEX_CORRUPT', `${path}: ${(error as NodeJS.ErrnoException).code ?? error}`);
  }
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new NewsdeskError('INDEX_CORRUPT', `${path} is not valid JSON.`);
  }
}
