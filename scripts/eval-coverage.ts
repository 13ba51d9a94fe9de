/** `npm run eval-coverage -- [probes.jsonl]`: how often coverage questions are answered right. */
import { readFile } from 'node:fs/promises';
import { engineFromConfig, parseCli, readConfig, runMain } from '../src/cli/common.js';
import { parseProbes, scoreProbe, summarize } from '../src/eval/coverage.js';

const HELP = `
Usage: npm run eval-coverage -- [eval/probes-coverage.jsonl]

Asks each probe question and checks the answer: a coverage question ("which outlets covered …?")
must be detected and name exactly the expected outlets (and count); an ordinary question must not
become a count. Prints each miss, then the totals.
`;

runMain(async () => {
  const { positionals } = parseCli(HELP, {});
  const probes = parseProbes(await readFile(positionals[0] ?? 'eval/probes-coverage.jsonl', 'utf8'));
  const engine = await engineFromConfig(readConfig());
  const results = [];
  for (const probe of probes) results.push(scoreProbe(probe, await engine.ask(probe.q)));
  for (const r of results.filter((x) => !x.correct)) process.stdout.write(`wrong: ${r.q}: ${r.why.join('; ')}\n`);
  process.stdout.write(`${summarize(results)}\n`);
  await engine.close();
});
