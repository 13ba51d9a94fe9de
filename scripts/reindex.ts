import { engineFromConfigOptions, log, parseCli, readConfig, runMain } from '../src/cli/common.js';
import { progressReporter } from '../src/cli/progress.js';
import { formatProblem } from '../src/index/corpus.js';
import { createEmbedder } from '../src/index/embedder.js';
import { buildIndex } from '../src/index/indexer.js';
import type { ReindexSummary } from '../src/index/types.js';

const HELP = `
Usage: npm run reindex [-- options]

Rebuilds the index from the corpus directory (CORPUS_DIR, default corpus/) into DATA_DIR
(default data/). Chunks whose text was embedded before by the same embedder come from the
cache, so re-indexing an unchanged corpus embeds nothing. The new index is written beside the
old one and swapped in atomically: a running bot picks it up within seconds.

Malformed lines are reported as file:line: reason and skipped.

Options:
  -h, --help  show this help

Settings (.env): EMBEDDER, TRANSFORMERS_MODEL, MODELS_DIR, CHUNK_TARGET_CHARS, CHUNK_OVERLAP_CHARS.
`;

export function formatSummary(summary: ReindexSummary): string {
  const lines = [
    `documents: ${summary.documents}`,
    `chunks:    ${summary.chunks}`,
    `skipped:   ${summary.skipped.length} line(s)`,
    ...summary.skipped.map((problem) => `  ${formatProblem(problem)}`),
    `embedded:  ${summary.embedded}, cached: ${summary.cached} (${summary.embedderId})`,
    `time:      ${summary.seconds.toFixed(1)} s`,
  ];
  return lines.join('\n');
}

runMain(async () => {
  parseCli(HELP, {});
  const config = readConfig();
  const options = engineFromConfigOptions(config);
  const embedder = await createEmbedder(options.embedder);
  const summary = await buildIndex({ ...options, embedder, onProgress: progressReporter() });
  log('reindex: done');
  process.stdout.write(`${formatSummary(summary)}\n`);
});
