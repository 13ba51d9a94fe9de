import { log, parseCli, readConfig, runMain } from '../src/cli/common.js';
import { loadSnapshot } from '../src/index/engine.js';
import { evaluate, formatMisses, formatTable, readQuestions, SYSTEMS } from '../src/eval/run.js';
import { NewsdeskError } from '../src/errors.js';

const HELP = `
Usage: npm run eval -- <questions.jsonl> [--misses]

Scores Newsdesk and two baselines (BM25 alone, dense alone) over the same chunks of the
current index, on questions in the format of ../shared/eval/dev.jsonl:
  {"q": "question", "gold": ["phrase a correct passage contains", ...], "unanswerable": true?}

Prints R@1, R@3 and MRR@10 over answerable questions, refusal accuracy, false refusals, and
each system's misses. Run \`npm run reindex\` first if there is no index.

Options:
  --no-misses  print the table only
  -h, --help   show this help
`;

runMain(async () => {
  const { values, positionals } = parseCli(HELP, { 'no-misses': { type: 'boolean' } });
  if (positionals.length !== 1) throw new NewsdeskError('BAD_USAGE', 'Name one questions file.');
  const config = readConfig();
  const questions = await readQuestions(positionals[0]!);
  const snapshot = await loadSnapshot(config.dataDir, { ...config.embedder, log });
  const rows = [];
  for (const system of SYSTEMS) rows.push({ ...system, scores: await evaluate(snapshot, questions, system.mode) });
  process.stdout.write(`${questions.length} questions, index ${snapshot.build} (${snapshot.manifest.embedder.id})\n\n`);
  process.stdout.write(`${formatTable(rows)}\n`);
  if (!values['no-misses']) for (const row of rows) process.stdout.write(`\n${formatMisses(row.name, row.scores.results)}\n`);
});
