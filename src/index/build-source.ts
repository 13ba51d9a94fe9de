/**
 * Where builds live: files under DATA_DIR (the embedded store) or a PostgreSQL database
 * (STORE=postgres). The engine asks its source for the live build's id, loads it, and writes new
 * builds through it; everything a question does after that is the same shared code.
 */
import { isNewsdeskError } from '../errors.js';
import { createEmbedder, type Embedder } from './embedder.js';
import { buildIndex } from './indexer.js';
import { loadOrBuild, loadSnapshot, snapshotOf, type OpenOptions, type Snapshot } from './snapshot.js';
import { currentBuild } from './store.js';
import type { PostgresIndex } from './stores/postgres/index.js';
import { PostgresLexical } from './stores/postgres/lexical.js';
import type { WeightedTerm } from './lexical.js';
import { computeLexicalData } from './term-data.js';
import type { ProgressFn, ReindexSummary } from './types.js';

export interface BuildSource {
  /** The live build's id, or null when there is none yet. */
  current(): Promise<string | null>;
  /** Loads the live build; `current` is the query embedder in use, kept when it fits. */
  load(current?: Embedder): Promise<Snapshot>;
  /** The first load: a damaged live build falls back, and a missing one is built when asked. */
  open(): Promise<Snapshot>;
  build(embedder: Embedder, onProgress?: ProgressFn): Promise<ReindexSummary>;
}

export function fileBuilds(options: OpenOptions): BuildSource {
  return {
    current: () => currentBuild(options.dataDir),
    load: (current) => loadSnapshot({ ...options, ...(current && { current }) }),
    open: () => loadOrBuild(options),
    build: (embedder, onProgress) => buildIndex({ ...options, embedder, ...(onProgress && { onProgress }) }),
  };
}

export function postgresBuilds(database: PostgresIndex, options: OpenOptions): BuildSource {
  const load = async (current?: Embedder): Promise<Snapshot> => {
    const stored = await database.load();
    // A database build has no saved lexical.bin: its terms are computed once per load.
    const snapshot = await snapshotOf({ ...stored, ...computeLexicalData(stored.documents, stored.chunks) }, options.embedder, current);
    const lexical = new PostgresLexical(database.db, snapshot.build, snapshot.chunkTerms, database.textsearch);
    const lexicalTopK = async (terms: WeightedTerm[], k: number) =>
      (await lexical.searchTerms(terms, k)).flatMap(({ id, score }) => {
        const label = snapshot.labelOf.get(id);
        return label === undefined ? [] : [{ label, score }];
      });
    return { ...snapshot, lexicalTopK };
  };
  const build = (embedder: Embedder, onProgress?: ProgressFn) => {
    const progress = onProgress ?? options.onProgress;
    const { corpusDir, dataDir, chunking, log } = options;
    return database.build({ corpusDir, dataDir, embedder, chunking, log, ...(progress && { onProgress: progress }) });
  };
  return {
    current: () => database.current(),
    load,
    async open() {
      try {
        return await load();
      } catch (error) {
        if (!options.buildIfMissing || !isNewsdeskError(error, 'INDEX_MISSING')) throw error;
      }
      options.log('index: none yet, building it from the corpus (this happens once)');
      const embedder = await createEmbedder(options.embedder);
      await build(embedder, options.onProgress);
      return load(embedder);
    },
    build,
  };
}
