import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FileStat } from './corpus.js';
import type { Embedder } from './embedder.js';
import { writeFileAtomic } from './fs-atomic.js';
import type { Segment } from './segments.js';
import { buildPath, currentBuild, joinSegments, loadManifest, readSegmentList, type FileManifest } from './store.js';
import type { Chunk, ChunkOptions, Document, ParseProblem } from './types.js';

/** What a build knows of each corpus file it read, so that the next build skips it when unchanged. */
export interface FileRecord {
  name: string;
  /** sha256 of the file's bytes. */
  hash: string;
  /** The file's stat when it was hashed; absent in builds made before the stat cache. */
  stat?: FileStat;
  /** How many documents it gave: a build's segments hold them in file order. */
  documents: number;
  problems: ParseProblem[];
}

interface FileRecords {
  files: FileRecord[];
  /** Labels removed from the vector index since it was last laid out from scratch. */
  deletedVectors: number;
  /** When the scan that took the stats started (ms since the epoch); 0 or absent: trust no stat. */
  scannedAt?: number;
}

const RECORDS_FILE = 'files.json';

/** The live build, as the next build reuses it. */
export interface PreviousBuild {
  dir: string;
  manifest: FileManifest;
  documents: Document[];
  chunks: Chunk[];
  files: Map<string, { record: FileRecord; documents: Document[] }>;
  /** Chunks by document id, in order. */
  chunksOf: Map<string, Chunk[]>;
  /** Its segments in corpus order, by the name of their first file: the next build links the ones it keeps. */
  segments: Map<string, PreviousSegment>;
  deletedVectors: number;
  /** The scan start of that build: a file modified about then may have changed without its stat showing it. */
  scannedAt: number;
}

export interface PreviousSegment {
  name: string;
  files: string[];
  documents: Document[];
  chunks: number;
}

/**
 * File timestamps tick coarsely (a few ms on Linux, 1-2 s on some file systems): a file modified
 * this close to the scan that recorded it may change again with the same size and mtime, so it
 * is hashed again rather than trusted ("racy" entries, as git calls them).
 */
const RACY_MS = 2000;

/** The recorded hash of `name` when its stat is the recorded one and was not racy; else undefined. */
export function unchangedHash(previous: PreviousBuild | null, name: string, stat: FileStat): string | undefined {
  const record = previous?.files.get(name)?.record;
  const was = record?.stat;
  if (!was || was.size !== stat.size || was.mtimeMs !== stat.mtimeMs || was.ino !== stat.ino) return undefined;
  return was.mtimeMs < previous!.scannedAt - RACY_MS ? record!.hash : undefined;
}

export async function writeFileRecords(dir: string, records: FileRecords): Promise<void> {
  await writeFileAtomic(join(dir, RECORDS_FILE), JSON.stringify(records));
}

/**
 * The live build when a new one can start from it: same format, embedder and chunking, and every
 * file readable. Anything else (none yet, another embedder, a damaged or older build) is null:
 * the new build is then made from scratch, which is always correct, only slower.
 */
export async function readPreviousBuild(dataDir: string, embedder: Embedder, chunking: ChunkOptions): Promise<PreviousBuild | null> {
  try {
    const build = await currentBuild(dataDir);
    if (!build) return null;
    const manifest = await loadManifest(dataDir, build);
    const sameEmbedder = manifest.embedder.id === embedder.id && manifest.embedder.dimensions === embedder.dimensions;
    const sameChunking = manifest.chunking.targetChars === chunking.targetChars && manifest.chunking.overlapChars === chunking.overlapChars;
    if (!sameEmbedder || !sameChunking) return null;
    const dir = buildPath(dataDir, build);
    const [segments, records] = await Promise.all([readSegmentList(dir, manifest), readFile(join(dir, RECORDS_FILE), 'utf8').then((text) => JSON.parse(text) as FileRecords)]);
    const { documents, chunks } = joinSegments(segments);
    if (documents.length !== manifest.documents || chunks.length !== manifest.chunks) return null;
    return {
      dir,
      manifest,
      documents,
      chunks,
      files: byFile(records.files, documents),
      chunksOf: byDocument(chunks),
      segments: bySegment(manifest, segments),
      deletedVectors: records.deletedVectors,
      scannedAt: records.scannedAt ?? 0,
    };
  } catch {
    return null;
  }
}

function byFile(records: FileRecord[], documents: Document[]): PreviousBuild['files'] {
  const files: PreviousBuild['files'] = new Map();
  let next = 0;
  for (const record of records) {
    files.set(record.name, { record, documents: documents.slice(next, next + record.documents) });
    next += record.documents;
  }
  if (next !== documents.length) throw new Error(`file records cover ${next} of ${documents.length} documents`);
  return files;
}

function bySegment(manifest: FileManifest, segments: Segment[]): Map<string, PreviousSegment> {
  const of = new Map<string, PreviousSegment>();
  segments.forEach((segment, i) => {
    const { name, chunks } = manifest.segments[i]!;
    if (segment.files.length > 0) of.set(segment.files[0]!, { name, files: segment.files, documents: segment.documents, chunks });
  });
  return of;
}

function byDocument(chunks: Chunk[]): Map<string, Chunk[]> {
  const of = new Map<string, Chunk[]>();
  for (const chunk of chunks) {
    const list = of.get(chunk.docId);
    if (list) list.push(chunk);
    else of.set(chunk.docId, [chunk]);
  }
  return of;
}
