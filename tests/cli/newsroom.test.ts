/** `npm run ask -- --timeline`, coverage in `ask --json`, and `npm run chart`, as child processes. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHART_HEIGHT, CHART_WIDTH } from '../../src/chart/png.js';
import { runCli } from '../support/run-cli.js';
import { seedEngine, seedWorkspace, type SeedWorkspace } from '../support/seed.js';

let ws: SeedWorkspace;
let env: Record<string, string>;
beforeAll(async () => {
  ws = await seedWorkspace();
  await (await seedEngine(ws)).close();
  env = { CORPUS_DIR: ws.corpusDir, DATA_DIR: ws.dataDir, EMBEDDER: 'use', MODELS_DIR: join(ws.root, 'models'), ALLOW_REMOTE_MODELS: 'false' };
});
afterAll(() => ws.cleanup());

describe('npm run ask -- --timeline', () => {
  it('prints the passages day by day, oldest first, each with its source line and, for a follower, the story it follows', async () => {
    const result = await runCli('src/cli/ask.ts', ['--timeline', 'How did the Russia mediation story develop?'], env);
    expect(result.code).toBe(0);
    const follows = '   (same story as “Putin Spokesman Confirms Russian Offer to Mediate Between U.S. and Iran Over…”)';
    expect(result.stdout).toBe(
      [
        'Timeline of “Russia mediation”: 7 passages, oldest first.',
        '',
        '2025-03-07',
        '',
        '1. “Russia seeks to serve as mediator between US and Iran”',
        '   — Reuters · 2025-03-07',
        '',
        '2. “Putin Spokesman Confirms Russian Offer to Mediate Between U.S. and Iran Over Iranian Nuclear Program”',
        '   — Foundation for Defense of Democracies · 2025-03-07',
        '',
        "3. “Russia 'agreed' to broker talks between Iran and the US: Report”",
        '   — Middle East Eye · 2025-03-07',
        follows,
        '',
        '4. “Putin Agrees to Help Trump Broker Nuclear Talks With Iran”',
        '   — Bloomberg · 2025-03-07',
        `${follows.slice(0, -1)}; Putin for Russia)`,
        '',
        '5. “Russia agrees to help Trump communicate with Iran on nuclear issue, Bloomberg reports”',
        '   — Reuters · 2025-03-07',
        follows,
        '',
        '6. “Russia and US to discuss Iran nuclear issue, Moscow says”',
        '   — Iran International · 2025-03-07',
        follows,
        '',
        '2025-03-11',
        '',
        '7. “Russia may prove to be a spoiler in US-Iran nuclear mediation”',
        '   — 2025-03-11',
        '',
      ].join('\n'),
    );
  });

  it('with --json gives a follower the passage it follows, and the name that stood in, as follows', async () => {
    const json = JSON.parse((await runCli('src/cli/ask.ts', ['--timeline', '--json', '--to', '2025-03-07', 'Russia mediation'], env)).stdout);
    const offer = { text: 'Putin Spokesman Confirms Russian Offer to Mediate Between U.S. and Iran Over Iranian Nuclear Program' };
    expect(json.days[0].passages.map((p: { text: string; follows?: object }) => [p.text, p.follows ?? null])).toEqual([
      ['Russia seeks to serve as mediator between US and Iran', null],
      [offer.text, null],
      ["Russia 'agreed' to broker talks between Iran and the US: Report", offer],
      ['Putin Agrees to Help Trump Broker Nuclear Talks With Iran', { ...offer, standIns: ['Putin for Russia'] }],
      ['Russia agrees to help Trump communicate with Iran on nuclear issue, Bloomberg reports', offer],
      ['Russia and US to discuss Iran nuclear issue, Moscow says', offer],
    ]);
    expect(Object.keys(json.days[0].passages[2])).toEqual(['text', 'score', 'source', 'follows']);
  });

  it('with --json prints {topic, total, days}, and --from after --to is BAD_RANGE', async () => {
    const json = JSON.parse((await runCli('src/cli/ask.ts', ['--timeline', '--json', '--from', '2025-03-08', 'Russia mediation'], env)).stdout);
    expect(json.topic).toBe('Russia mediation');
    expect(json.total).toBe(1);
    expect(json.days.map((d: { date: string }) => d.date)).toEqual(['2025-03-11']);
    expect(Object.keys(json.days[0].passages[0])).toEqual(['text', 'score', 'source']);
    const bad = await runCli('src/cli/ask.ts', ['--timeline', '--from', '2025-03-11', '--to', '2025-03-01', 'sanctions'], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('error BAD_RANGE');
  });
});

describe('npm run ask -- --json, a coverage question', () => {
  it('adds only the optional coverage field to the stable shape', async () => {
    const answer = JSON.parse((await runCli('src/cli/ask.ts', ['--json', 'How many headlines mention sanctions?'], env)).stdout);
    expect(Object.keys(answer)).toEqual(['question', 'answered', 'passages', 'coverage']);
    expect(answer.coverage).toEqual({
      kind: 'count',
      topic: 'sanctions',
      only: 'headline',
      documents: 3,
      outlets: [
        { outlet: 'Al Jazeera English', count: 1, dates: ['2025-03-11'] },
        { outlet: 'Bloomberg', count: 1, dates: ['2025-03-07'] },
        { outlet: 'Newsweek', count: 1, dates: ['2025-03-07'] },
      ],
    });
  });
});

describe('npm run chart', () => {
  it('writes the PNG and prints the counts', async () => {
    const out = join(ws.root, 'chart.png');
    const result = await runCli('src/cli/chart.ts', ['--out', out, '--from', '2025-03-01'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      [
        'Headlines per day · from 2025-03-01',
        '53 headlines on 2 days.',
        '2025-03-07: 30 (Reuters 5, Newsweek 4, Middle East Eye 3, Bloomberg 2, The New York Times 1, Other outlets 15)',
        '2025-03-11: 23 (Reuters 4, The New York Times 3, Bloomberg 1, Other outlets 15)',
        '',
      ].join('\n'),
    );
    const png = PNG.sync.read(await readFile(out));
    expect([png.width, png.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
  });

  it('requires --out (BAD_USAGE, exit 2 like every usage error)', async () => {
    const result = await runCli('src/cli/chart.ts', [], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('error BAD_USAGE');
  });
});
