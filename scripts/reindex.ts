import { engineFromConfigOptions, log, parseCli, readConfig, runMain } from '../src/cli/common.js';
import { progressReporter } from '../src/cli/progress.js';
import { countSkipped, formatProblem } from '../src/index/corpus.js';
import { createEmbedder } from '../src/index/embedder.js';
import { buildIndex } from '../src/index/indexer.js';
import type { ReindexSummary } from '../src/index/types.js';

const HELP = `
Usage: npm run reindex [-- options]

Rebuilds the index from the corpus directory (CORPUS_DIR, default corpus/) into DATA_DIR
(default data/). Chunks whose text was embedded before by the same embedder come from the
cache, so re-indexing an unchanged corpus embeds nothing. The new index is written beside the
old one and swapped in atomically: a running bot picks it up within seconds.

Malformed lines are reported as file:line: reason and skipped; a file that cannot be read at
all (not UTF-8 text, unclosed front matter, no text) as file: reason, and skipped. Documents
kept with a caveat (a date it cannot read) are listed as warnings.

Options:
  --strict    build nothing and exit 1 when any file or line would be skipped
  -h, --help  show this help

Settings (.env): EMBEDDER, TRANSFORMERS_MODEL, MODELS_DIR, CHUNK_TARGET_CHARS, CHUNK_OVERLAP_CHARS,
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
    `time:      ${summary.seconds.toFixed(1)} s`,
  ];
  return lines.join('\n');
}

runMain(async () => {
  const { values } = parseCli(HELP, { strict: { type: 'boolean' } });
  const config = readConfig();
  const options = engineFromConfigOptions(config);
  // A re-index may use every core (REINDEX_THREADS); the bot's questions use EMBED_THREADS.
  const embedder = await createEmbedder({ ...options.embedder, threads: config.reindexThreads });
  const summary = await buildIndex({ ...options, embedder, onProgress: progressReporter(), strict: !!values.strict }).finally(() =>
    embedder.close?.(),
  );
  log('reindex: done');
  process.stdout.write(`${formatSummary(summary)}\n`);
});
