import { engineFromConfigOptions, log, parseCli, readConfig, runMain } from '../src/cli/common.js';
import { progressReporter } from '../src/cli/progress.js';
import { NewsdeskError } from '../src/errors.js';
import { formatFeedResult } from '../src/feeds/ingest.js';
import { feedIngester } from '../src/feeds/setup.js';
import { createEmbedder } from '../src/index/embedder.js';
import { buildIndex } from '../src/index/indexer.js';
import { formatProblem } from '../src/index/corpus.js';

const HELP = `
Usage: npm run ingest -- [options] [<feed-url-or-file>…]

Reads RSS 2.0, Atom and JSON Feed feeds (URLs, or files saved on disk) and writes each new item
to CORPUS_DIR/feeds/<outlet>/<date>-<title>.md as a front-matter Markdown document: title,
outlet (the item's source, else the feed's title), date, url, and its summary or content as
text. Items already ingested (same guid, same url, or same title on the same day) are skipped,
so re-running adds nothing new. Then the index is rebuilt; a running bot picks it up.

With no feed given, reads the feeds listed in FEEDS.

Options:
  --no-reindex  write the items but do not rebuild the index
  -h, --help    show this help

Settings (.env): FEEDS, FETCH_ARTICLES (also fetch each item's page and keep its article
text, falling back to the summary), FEED_TIMEOUT_SECONDS, CORPUS_DIR, DATA_DIR, EMBEDDER.

Example:
  npm run ingest -- https://example.org/world/rss.xml saved/atom.xml
`;

runMain(async () => {
  const { values, positionals } = parseCli(HELP, { 'no-reindex': { type: 'boolean' } });
  const config = readConfig();
  const sources = positionals.length > 0 ? positionals : config.feeds.urls;
  if (sources.length === 0) throw new NewsdeskError('BAD_USAGE', 'Give at least one feed URL or file, or set FEEDS in .env.');

  const ingester = feedIngester(config.corpusDir, config.feeds, log);
  const totals = { feeds: 0, failedFeeds: 0, added: 0, duplicate: 0, failed: 0 };
  for (const [i, source] of sources.entries()) {
    log(`ingest: [${i + 1}/${sources.length}] ${source}`);
    const result = await ingester.ingest(source);
    process.stdout.write(`${formatFeedResult(result)}\n`);
    totals.feeds += 1;
    if (!result.ok) totals.failedFeeds += 1;
    totals.added += result.added;
    totals.duplicate += result.duplicate;
    totals.failed += result.failed;
  }
  process.stdout.write(
    `feeds read: ${totals.feeds - totals.failedFeeds} of ${totals.feeds}; items: ${totals.added} new, ${totals.duplicate} duplicate, ${totals.failed} failed\n`,
  );

  if (values['no-reindex']) log('ingest: --no-reindex, so the index was not rebuilt');
  else if (totals.added === 0) log('ingest: nothing new, so the index is unchanged');
  else {
    const options = engineFromConfigOptions(config);
    const embedder = await createEmbedder(options.embedder);
    const summary = await buildIndex({ ...options, embedder, onProgress: progressReporter() });
    for (const problem of summary.skipped) log(`reindex: skipped ${formatProblem(problem)}`);
    for (const problem of summary.warnings) log(`reindex: warning ${formatProblem(problem)}`);
    process.stdout.write(
      `re-index: ${summary.documents} documents, ${summary.chunks} chunks, ${summary.embedded} embedded, ${summary.cached} cached, ` +
        `${summary.skipped.length} skipped, ${summary.warnings.length} warning(s) (${summary.seconds.toFixed(1)} s)\n`,
    );
  }
  if (totals.failedFeeds > 0) process.exitCode = 1;
});
