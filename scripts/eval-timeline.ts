/** `npm run eval-timeline -- [probes.jsonl]`: how well /timeline finds a topic's passages. */
import { readFile } from 'node:fs/promises';
import { engineFromConfig, parseCli, readConfig, runMain } from '../src/cli/common.js';
import { parseTimelineProbes, scoreTimeline, summarizeTimelines } from '../src/eval/timeline.js';

const HELP = `
Usage: npm run eval-timeline -- [eval/probes-timeline.jsonl]

Builds each probe topic's timeline and checks it: the gold passages it must show (recall) and how
many of the passages it shows are gold or related (precision). Prints each topic's misses and
extras, then the totals.
`;

runMain(async () => {
  const { positionals } = parseCli(HELP, {});
  const probes = parseTimelineProbes(await readFile(positionals[0] ?? 'eval/probes-timeline.jsonl', 'utf8'));
  const engine = await engineFromConfig(readConfig());
  const results = [];
  for (const probe of probes) results.push(scoreTimeline(probe, await engine.timeline({ topic: probe.topic })));
  for (const r of results) {
    process.stdout.write(`${r.topic}: ${r.found}/${r.gold} gold, ${r.relevant}/${r.shown} relevant\n`);
    for (const m of r.missing) process.stdout.write(`  missing: ${m}\n`);
    for (const x of r.extra) process.stdout.write(`  extra:   ${x.slice(0, 100)}\n`);
  }
  process.stdout.write(`${summarizeTimelines(results)}\n`);
  await engine.close();
});
