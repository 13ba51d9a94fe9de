import { readFile } from 'node:fs/promises';
import { parseCli, readConfig, runMain } from '../src/cli/common.js';
import { NewsdeskError } from '../src/errors.js';
import { feedbackReport } from '../src/feedback/report.js';
import { feedbackPath } from '../src/feedback/store.js';

const HELP = `
Usage: npm run report [-- --since YYYY-MM-DD] [--until YYYY-MM-DD]

Reads DATA_DIR/feedback.jsonl (the 👍 / 👎 votes on answers in Discord) and lists, most frequent
first: the refused questions users voted on, and the answered questions voted 👎 with the passages
they showed. This is what to add to the corpus.

Options:
  --since DATE  votes from this day (inclusive, UTC)
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

runMain(async () => {
  const { values } = parseCli(HELP, { since: { type: 'string' }, until: { type: 'string' } });
  const since = isoDate('--since', values.since);
  const until = isoDate('--until', values.until);
  if (since && until && since > until) throw new NewsdeskError('BAD_RANGE', `--since ${since} is after --until ${until}.`);
  const path = feedbackPath(readConfig().dataDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    process.stdout.write(`No feedback yet: ${path} does not exist. Votes appear there once users press 👍 / 👎 on answers.\n`);
    return;
  }
  process.stdout.write(feedbackReport(text, { since, until }));
});
