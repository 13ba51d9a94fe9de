import { writeFile } from 'node:fs/promises';
import { headlineChart } from '../chart/headline-chart.js';
import { NewsdeskError } from '../errors.js';
import { engineFromConfig, parseCli, readConfig, runMain } from './common.js';

const HELP = `
Usage: npm run chart -- --out chart.png [--query "words"] [--from YYYY-MM-DD] [--to YYYY-MM-DD]

Draws headlines per day, stacked by the outlets that ran the most of them, as a PNG (the picture
/headlines stats sends), and prints the same counts as text on stdout.

Options:
  --out FILE   where to write the PNG (required)
  --query Q    only headlines that hold these words
  --from DATE  from this day (inclusive)
  --to DATE    until this day (inclusive)
  -h, --help   show this help
`;

const ISO = /^\d{4}-\d{2}-\d{2}$/;

function isoDate(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && (!ISO.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))) {
    throw new NewsdeskError('BAD_DATE', `${name}: "${value}" is not a date.`);
  }
  return value;
}

runMain(async () => {
  const { values } = parseCli(HELP, { out: { type: 'string' }, query: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } });
  if (!values.out) throw new NewsdeskError('BAD_USAGE', '--out FILE is required.');
  const from = isoDate('--from', values.from);
  const to = isoDate('--to', values.to);
  if (from && to && from > to) throw new NewsdeskError('BAD_RANGE', `--from ${from} is after --to ${to}.`);
  const engine = await engineFromConfig(readConfig());
  const chart = await headlineChart(engine, { ...(values.query && { query: values.query }), ...(from && { from }), ...(to && { to }) });
  await writeFile(values.out, chart.png);
  process.stdout.write(`${chart.title}\n${chart.lines.join('\n')}\n`);
  await engine.close();
});
