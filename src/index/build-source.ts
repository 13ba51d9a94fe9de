/**
 * Where builds live: files under DATA_DIR (the embedded store) or a PostgreSQL database
 * (STORE=postgres). The engine asks its source for the live build's id, loads it, and writes new
 * builds through it; everything a question does after that is the same shared code.
 */
import { isNewsdeskError } from '../errors.js';
import { createEmbedder, type Embedder } from './embedder.js';
import { buildIndex } from './indexer.js';
import type { WeightedText } from './followup.js';
import type { WeightedTerm } from './lexical.js';
import { labelled, loadOrBuild, loadSnapshot, snapshotOf, type OpenOptions, type Rankers, type Snapshot } from './snapshot.js';
import { currentBuild } from './store.js';
import type { PostgresBuild, PostgresIndex } from './stores/postgres/index.js';
import { PostgresLexical } from './stores/postgres/lexical.js';
import { buildCaseMap, contentTerms } from './terms.js';
import type { LexicalData } from './term-data.js';
import type { Chunk, Document, ProgressFn, ReindexSummary } from './types.js';

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
    // A database build has no saved lexical.bin: its terms are computed once per load. No BM25
    // index is: the lexical ranking is the database's, and the weights of words are counted here.
    const terms = databaseTerms(stored.documents, stored.chunks);
    const lexical = new PostgresLexical(database.db, stored.build, terms.chunkTerms, database.textsearch);
    return snapshotOf({ ...stored, ...terms, lexical }, (labelOf) => databaseRankers(stored, lexical, labelOf), options.embedder, current);
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

/** What a snapshot reads of a database build's words, computed from its rows. */
function databaseTerms(documents: readonly Document[], chunks: readonly Chunk[]): Omit<LexicalData, 'lexical'> {
  const chunkTerms = chunks.map((chunk) => contentTerms(chunk.text));
  return {
    chunkTerms,
    caseMap: buildCaseMap(documents.map((d) => d.text)),
    vocabulary: new Set([...chunkTerms.flat(), ...documents.flatMap((d) => contentTerms(d.title))]),
    outlets: [...new Set(documents.map((d) => d.outlet).filter((o): o is string => !!o))].sort(),
  };
}

/**
 * Both top-k lists from the database, within a question's outlet and date (WHERE clauses). A
 * follow-up's earlier text goes in as more weighted terms of the same query, rather than as a second
 * search: one round trip.
 */
function databaseRankers(stored: PostgresBuild, lexical: PostgresLexical, labelOf: ReadonlyMap<string, number>): Rankers {
  const contextTerms = (context: WeightedText[]): WeightedTerm[] => context.flatMap(({ text, weight }) => contentTerms(text).map((term) => ({ term, weight })));
  return {
    filters: true,
    dense: async (query, k, filter) => labelled(await stored.vectors.search(query, k, filter), labelOf),
    lexical: async (query, context, k, filter) => labelled(await lexical.searchTerms([...query.terms, ...contextTerms(context)], k, filter), labelOf),
  };
}
