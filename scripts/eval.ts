import { engineFromConfigOptions, parseCli, readConfig, runMain } from '../src/cli/common.js';
import { openEngine } from '../src/index/engine.js';
import { evaluate, formatMisses, formatTable, HISTORY_USES, readQuestions, SYSTEMS, type HistoryUse } from '../src/eval/run.js';
import { NewsdeskError } from '../src/errors.js';

const HELP = `
Usage: npm run eval -- <questions.jsonl> [more.jsonl ...] [--misses] [--history use|paste|ignore]

Scores Newsdesk and two baselines (BM25 alone, dense alone) over the same chunks of the
current index, for each file, on questions in the format of ../shared/eval/dev.jsonl:
  {"q": "question", "gold": ["phrase a correct passage contains", ...],
   "history": ["earlier question", ...]?, "unanswerable": true?}
Questions are answered through the engine's own ask path, with their history.

Prints R@1, R@3 and MRR@10 over answerable questions, refusal accuracy and false refusals.
Run \`npm run reindex\` first if there is no index.

Options:
  --misses     also list each system's misses (questions whose gold is not at rank 1)
  --history H  what to do with a question's "history": use it (default: follow-up handling),
               paste it in front of the question, or ignore it (both are baselines)
  --no-misses  the table only (the default; kept for old scripts)
  -h, --help   show this help
`;

runMain(async () => {
  const { values, positionals } = parseCli(HELP, { misses: { type: 'boolean' }, 'no-misses': { type: 'boolean' }, history: { type: 'string' } });
  if (positionals.length === 0) throw new NewsdeskError('BAD_USAGE', 'Name at least one questions file.');
  const historyUse = (values.history ?? 'use') as HistoryUse;
  if (!HISTORY_USES.includes(historyUse)) throw new NewsdeskError('BAD_USAGE', `--history takes use, paste or ignore, not "${values.history}".`);
  // Every file is read before the model loads, so a bad line fails in a second, not after a run.
  const files = [];
  for (const path of positionals) files.push({ path, questions: await readQuestions(path) });
  const config = readConfig();
  const engine = await openEngine({ ...engineFromConfigOptions(config), buildIfMissing: false });
  const about = engine.about();
  process.stdout.write(`index built ${about.builtAt} (${about.embedder})\n`);
  for (const { path, questions } of files) {
    const rows = [];
    for (const system of SYSTEMS) rows.push({ ...system, scores: await evaluate(engine, questions, system.mode, historyUse) });
    const withHistory = historyUse === 'use' ? '' : ` (history: ${historyUse})`;
    process.stdout.write(`\n${path}: ${questions.length} questions${withHistory}\n\n${formatTable(rows)}\n`);
    if (values.misses && !values['no-misses']) for (const row of rows) process.stdout.write(`\n${formatMisses(row.name, row.scores.results)}\n`);
  }
  await engine.close();
});
