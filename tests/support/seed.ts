import { copyFile, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import type { EmbedderOptions } from '../../src/index/embedder.js';
import { openEngine } from '../../src/index/engine.js';
import type { Engine } from '../../src/index/types.js';

export const SEED_FILE = resolve(import.meta.dirname, '../../corpus/000_9ae99c27894fbda8.txt');
export const DEV_SET = resolve(import.meta.dirname, '../../../shared/eval/dev.jsonl');

/** The offline embedder, never downloading anything. */
export function useEmbedderOptions(modelsDir: string): EmbedderOptions {
  return { kind: 'use', model: 'Xenova/all-MiniLM-L6-v2', modelsDir, allowRemote: false, quantized: true, log: () => {} };
}

export interface SeedWorkspace {
  root: string;
  corpusDir: string;
  dataDir: string;
  cleanup(): Promise<void>;
}

/** A temp directory with a copy of the seed corpus and an empty data directory. */
export async function seedWorkspace(): Promise<SeedWorkspace> {
  const root = await mkdtemp(join(tmpdir(), 'newsdesk-test-'));
  const corpusDir = join(root, 'corpus');
  await mkdir(corpusDir);
  await copyFile(SEED_FILE, join(corpusDir, '000_9ae99c27894fbda8.txt'));
  return { root, corpusDir, dataDir: join(root, 'data'), cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** A real engine (USE + hnswlib) over the seed corpus, its index built on open. */
export async function seedEngine(workspace: SeedWorkspace): Promise<Engine> {
  return openEngine({
    corpusDir: workspace.corpusDir,
    dataDir: workspace.dataDir,
    embedder: useEmbedderOptions(join(workspace.root, 'models')),
    chunking: DEFAULT_CHUNKING,
    log: () => {},
    buildIfMissing: true,
  });
}
