import { readFile } from 'node:fs/promises';
import { engineFromConfigOptions, log, parseCli, positiveInt, readConfig, runMain } from '../src/cli/common.js';
import type { Config } from '../src/config.js';
import { isNewsdeskError, NewsdeskError } from '../src/errors.js';
import { formatReport, summarizeFeedback, type FeedbackSummary } from '../src/feedback/report.js';
import { withPassages } from '../src/feedback/report-passages.js';
import { openEngine } from '../src/index/engine.js';
import { feedbackPath } from '../src/feedback/store.js';

const HELP = `
Usage: npm run report [-- --since YYYY-MM-DD | --days N] [--until YYYY-MM-DD]

Reads DATA_DIR/feedback.jsonl (the 👍 / 👎 votes on answers in Discord) and lists, most frequent
first: the refused questions users voted on, with the passages nearest to them in the corpus now,
and the answered questions voted 👎 with the passages they showed, quoted with their sources.
This is what to add to the corpus. Quoting needs the index (npm run reindex); without one the
passages are listed by chunk id.

Options:
  --since DATE  votes from this day (inclusive, UTC)
  --days N      votes of the last N days, today included (UTC); instead of --since
  --until DATE  votes until this day (inclusive, UTC)
  -h, --help    show this help
`;

const ISO = /^\d{4}-\d{2}-\d{2}$/;

function isoDate(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && (!ISO.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))) {
    throw new NewsdeskError('BAD_DATE', `${name}: "${value}" is not a date.`);
  }
  return value;
}

/** The first day of the last `days` days, today (UTC) included. */
function daysBack(days: number): string {
  return new Date(Date.now() - (days - 1) * 86_400_000).toISOString().slice(0, 10);
}

runMain(async () => {
  const { values } = parseCli(HELP, { since: { type: 'string' }, until: { type: 'string' }, days: { type: 'string' } });
  if (values.since !== undefined && values.days !== undefined) throw new NewsdeskError('BAD_USAGE', 'Give --since or --days, not both.');
  const since = values.days !== undefined ? daysBack(positiveInt('--days', values.days, 1)) : isoDate('--since', values.since);
  const until = isoDate('--until', values.until);
  if (since && until && since > until) throw new NewsdeskError('BAD_RANGE', `--since ${since} is after --until ${until}.`);
  const config = readConfig();
  const path = feedbackPath(config.dataDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    process.stdout.write(`No feedback yet: ${path} does not exist. Votes appear there once users press 👍 / 👎 on answers.\n`);
    return;
  }
  process.stdout.write(formatReport(await quoted(summarizeFeedback(text, { since, until }), config)));
});

const UNUSABLE_INDEX = ['INDEX_MISMATCH', 'INDEX_CORRUPT', 'EMBEDDER_UNAVAILABLE'] as const;

/** The summary with its passages quoted from the index, or by id (saying why) when there is none. */
async function quoted(summary: FeedbackSummary, config: Config): Promise<FeedbackSummary> {
  if (summary.refused.length === 0 && summary.downvoted.length === 0) return summary;
  let engine;
  try {
    engine = await openEngine({ ...engineFromConfigOptions(config, log), buildIfMissing: false });
  } catch (error) {
    // The votes are worth reporting without an index: list the passages by id and say why.
    if (isNewsdeskError(error, 'INDEX_MISSING')) return { ...summary, note: 'No index yet (npm run reindex): passages by chunk id only, none for refused questions.' };
    if (!UNUSABLE_INDEX.some((code) => isNewsdeskError(error, code))) throw error;
    const reason = (error as NewsdeskError).message.split('\n')[0];
    return { ...summary, note: `The index could not be used (${(error as NewsdeskError).code}: ${reason}): passages by chunk id only, none for refused questions.` };
  }
  try {
    return await withPassages(summary, engine);
  } finally {
    await engine.close();
  }
}
