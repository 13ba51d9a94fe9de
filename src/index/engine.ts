/**
 * The engine: the one stateful owner of the current snapshot. It loads it, swaps in a new one on
 * reload or re-index (one re-index at a time), and closes it; every question goes to the pure
 * question path in snapshot.ts with the snapshot current when it was asked.
 */
import { NewsdeskError } from '../errors.js';
import { fileBuilds, postgresBuilds } from './build-source.js';
import { createEmbedder } from './embedder.js';
import { DEFAULT_SETTINGS, warmUp, type RetrievalSettings } from './retriever.js';
import { answer, describeCorpus, explain, findHeadlines, nearest, timeline, type OpenOptions, type Snapshot } from './snapshot.js';
import { storedPassage } from './nearest.js';
import { openPostgresIndex, type PostgresOptions } from './stores/postgres/index.js';
import { vectorStoreFactory, type StoreKind } from './vector-store.js';
import type { Engine, ProgressFn, ReindexSummary } from './types.js';

/** What the engine needs to load (or first build) its snapshots, and how it answers. */
export interface EngineOptions extends Omit<OpenOptions, 'stores'> {
  settings?: RetrievalSettings;
  /** Which vector store holds the index; the embedded (hnswlib) one when absent. */
  store?: StoreKind;
  /** STORE=postgres: the index lives in this database instead (dataDir keeps the embedding cache). */
  postgres?: PostgresOptions;
}

export async function openEngine(options: EngineOptions): Promise<Engine> {
  const settings = options.settings ?? DEFAULT_SETTINGS;
  const open = { ...options, stores: await vectorStoreFactory(options.store) };
  const database = options.postgres ? await openPostgresIndex({ ...options.postgres, log: options.log }) : null;
  const index = database ? postgresBuilds(database, open) : fileBuilds(open);
  let snapshot = await index.open().catch(async (error: unknown) => {
    await database?.close();
    throw error;
  });
  let ready = afterLoad(snapshot, options.log);
  let reindexing: Promise<ReindexSummary> | null = null;

  const reload = async (): Promise<boolean> => {
    const build = await index.current();
    if (!build || build === snapshot.build) return false;
    snapshot = await index.load(snapshot.embedder);
    options.log(`index: loaded build ${snapshot.build} (${snapshot.manifest.chunks} chunks)`);
    ready = afterLoad(snapshot, options.log);
    return true;
  };

  const runReindex = async (onProgress?: ProgressFn): Promise<ReindexSummary> => {
    const embedder = await createEmbedder(options.embedder);
    try {
      const summary = await index.build(embedder, onProgress);
      await reload();
      return summary;
    } finally {
      // The snapshot keeps its own query embedder; this one's threads go.
      if (embedder !== snapshot.embedder) await embedder.close?.();
    }
  };

  return {
    ask: (question, askOptions = {}) => answer(snapshot, question, { ...askOptions, settings }),
    explain: (question, askOptions = {}) => explain(snapshot, question, { ...askOptions, settings }),
    // For `npm run report` only: the candidates whatever the refusal, and stored chunk ids quoted again.
    nearest: (question, k) => nearest(snapshot, question, { ...(k !== undefined && { k }), settings }),
    passage: (chunkId, question, score) => storedPassage(snapshot, chunkId, question, score),
    headlines: (filter) => findHeadlines(snapshot, filter, settings),
    timeline: (query) => timeline(snapshot, query, settings),
    document: (id) => snapshot.docById.get(id),
    outlets: () => snapshot.outlets,
    about: () => describeCorpus(snapshot),
    reindex(onProgress) {
      if (reindexing) return Promise.reject(new NewsdeskError('REINDEX_BUSY'));
      reindexing = runReindex(onProgress).finally(() => {
        reindexing = null;
      });
      return reindexing;
    },
    reload,
    indexed: () => ready,
    async close() {
      await reindexing?.catch(() => {});
      await snapshot.embedder.close?.();
      await database?.close();
    },
  };
}

/**
 * Once the vector index is in (read off this thread), the question path's parts built on first use
 * are built, so the first questions don't pay for them. A vector index that cannot be read leaves
 * questions on the exact scan: correct, but slower at scale.
 */
function afterLoad(snapshot: Snapshot, log: (line: string) => void): Promise<void> {
  const indexed = snapshot.vectors.whenIndexed?.() ?? Promise.resolve();
  indexed.catch((error: unknown) => {
    log(
      `index: warning: the vector index of build ${snapshot.build} could not be read (${(error as Error).message}); ` +
        'questions are answered by an exact scan of the vectors meanwhile. Run npm run reindex -- --full to rebuild it.',
    );
  });
  const warmed = indexed
    .catch(() => {})
    .then(() => new Promise((resolve) => setImmediate(resolve)))
    .then(() => {
      const started = performance.now();
      const built = warmUp(snapshot);
      const ms = Math.round(performance.now() - started);
      log(`index: warmed up build ${snapshot.build} in ${ms} ms (${built.dates} dates listed, ${built.prefixes} word prefixes, ${built.lemmas} lemmas)`);
    })
    .catch((error: unknown) => log(`index: warning: warming up build ${snapshot.build} failed (${(error as Error).message}); the first questions build what it would have.`));
  const ready = Promise.all([indexed, warmed]).then(() => {});
  ready.catch(() => {}); // the warning above reports it; `indexed()` hands the rejection to whoever asks
  return ready;
}
