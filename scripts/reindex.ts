import { engineFromConfigOptions, log, parseCli, readConfig, runMain } from '../src/cli/common.js';
import { progressReporter } from '../src/cli/progress.js';
import { countSkipped, formatProblem } from '../src/index/corpus.js';
import { createEmbedder } from '../src/index/embedder.js';
import { buildIndex } from '../src/index/indexer.js';
import { reindexPostgres } from '../src/index/stores/postgres/index.js';
import type { ReindexSummary } from '../src/index/types.js';

const HELP = `
Usage: npm run reindex [-- options]

Builds the index from the corpus directory (CORPUS_DIR, default corpus/) into DATA_DIR
(default data/). Only files whose content changed since the live build are parsed and chunked;
their old chunks leave the live build's vector and BM25 indexes and their new ones are added,
in a new build (the vector index is laid out again from cached vectors once removed chunks pass
20% of it). Chunks whose text was embedded before by the same embedder come from the cache, so
re-indexing an unchanged corpus embeds nothing. The new build is written beside the old one and
swapped in atomically: a running bot keeps answering from the old one and picks the new one up
within seconds.

Malformed lines are reported as file:line: reason and skipped; a file that cannot be read at
all (not UTF-8 text, unclosed front matter, no text) as file: reason, and skipped. Documents
kept with a caveat (a date it cannot read) are listed as warnings.

Options:
  --strict    build nothing and exit 1 when any file or line would be skipped
  --full      ignore the live build: re-read and re-chunk every file and lay the vector index
              out from scratch (vectors still come from the embedding cache)
  -h, --help  show this help

With STORE=postgres the build goes to DATABASE_URL instead (the schema is migrated first), in one
transaction: only new and changed documents are written, and every running bot swaps to it.

Settings (.env): STORE, DATABASE_URL, EMBEDDER, TRANSFORMERS_MODEL, MODELS_DIR, CHUNK_TARGET_CHARS, CHUNK_OVERLAP_CHARS,
REINDEX_THREADS (worker threads that embed; default one per core).
`;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

export function formatSummary(summary: ReindexSummary): string {
  const { files, lines: skippedLines } = countSkipped(summary.skipped);
  const lines = [
    `documents: ${summary.documents}`,
    `chunks:    ${summary.chunks}`,
    `skipped:   ${plural(files, 'file')}, ${plural(skippedLines, 'line')}`,
    ...summary.skipped.map((problem) => `  ${formatProblem(problem)}`),
    ...(summary.warnings.length > 0 ? [`warnings:  ${summary.warnings.length}`] : []),
    ...summary.warnings.map((problem) => `  ${formatProblem(problem)}`),
    `embedded:  ${summary.embedded}, cached: ${summary.cached} (${summary.embedderId})`,
    ...(summary.update ? [`update:    ${updateLine(summary.update)}`] : []),
    `time:      ${summary.seconds.toFixed(1)} s`,
  ];
  return lines.join('\n');
}

const UPDATE_MODES = {
  'in-place': 'in place',
  rebuilt: 'vector index laid out again from cached vectors (removed chunks passed 20%)',
  full: 'full (no usable previous build, or --full)',
} as const;

function updateLine(update: NonNullable<ReindexSummary['update']>): string {
  return `${UPDATE_MODES[update.mode]}; ${update.filesRead} of ${plural(update.files, 'file')} read anew, chunks +${update.chunksAdded} -${update.chunksRemoved}`;
}

runMain(async () => {
  const { values } = parseCli(HELP, { strict: { type: 'boolean' }, full: { type: 'boolean' } });
  const config = readConfig();
  const options = engineFromConfigOptions(config);
  // A re-index may use every core (REINDEX_THREADS); the bot's questions use EMBED_THREADS.
  const embedder = await createEmbedder({ ...options.embedder, threads: config.reindexThreads });
  const build = { ...options, embedder, onProgress: progressReporter(), strict: !!values.strict, full: !!values.full };
  // STORE=postgres writes the build to DATABASE_URL (migrating first); the cache stays in DATA_DIR.
  const summary = await (options.postgres ? reindexPostgres({ ...build, ...options.postgres }) : buildIndex(build)).finally(() => embedder.close?.());
  log('reindex: done');
  process.stdout.write(`${formatSummary(summary)}\n`);
});
