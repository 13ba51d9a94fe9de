/** `npm run report` as a child process: no file yet, no index, a period, a real index, a bad date. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { openEngine } from '../../src/index/engine.js';
import { runCli } from '../support/run-cli.js';
import { useEmbedderOptions } from '../support/seed.js';
import { writeSmallCorpus } from '../support/small-corpus.js';

let dir: string;
let env: Record<string, string>;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'report-'));
  env = { DATA_DIR: dir };
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('npm run report', () => {
  it('says there is no feedback yet, and exits 0, when feedback.jsonl does not exist', async () => {
    const result = await runCli('scripts/report.ts', [], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      `No feedback yet: ${join(dir, 'feedback.jsonl')} does not exist. Votes appear there once users press 👍 / 👎 on answers.\n`,
    );
  });

  it('prints the report for the period from the file, by chunk id when there is no index', async () => {
    const line = { answerId: 'a', vote: 'down', question: 'Who won the cup?', answered: false, passages: [] };
    await writeFile(
      join(dir, 'feedback.jsonl'),
      [JSON.stringify({ ts: '2025-03-01T00:00:00.000Z', ...line }), JSON.stringify({ ts: '2025-03-09T00:00:00.000Z', ...line })].join('\n'),
    );
    const result = await runCli('scripts/report.ts', ['--until', '2025-03-05'], env);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, 5)).toEqual([
      'Feedback until 2025-03-05: 1 vote (👎 1, 👍 0).',
      'No index yet (npm run reindex): passages by chunk id only, none for refused questions.',
      '',
      'Refused questions, by votes, with the nearest passages in the corpus:',
      '   1  Who won the cup?  (👎 1, 👍 0)',
    ]);
  });

  it('still reports, by chunk id and saying why, when the index is in an older format', async () => {
    const data = join(dir, 'old-index');
    await mkdir(join(data, 'index', 'builds', 'old'), { recursive: true });
    await writeFile(join(data, 'index', 'CURRENT'), 'old\n');
    await writeFile(join(data, 'index', 'builds', 'old', 'manifest.json'), JSON.stringify({ formatVersion: 1 }));
    const line = { ts: '2025-03-01T00:00:00.000Z', answerId: 'a', vote: 'down', question: 'When?', answered: true, passages: [{ chunkId: 'd1#0', sourceId: 'd1', score: 0.5 }] };
    await writeFile(join(data, 'feedback.jsonl'), `${JSON.stringify(line)}\n`);
    const result = await runCli('scripts/report.ts', [], { DATA_DIR: data, EMBEDDER: 'use' });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')[1]).toBe(
      'The index could not be used (INDEX_MISMATCH: The index was built differently from what this version expects. Run `npm run reindex` to rebuild it.): passages by chunk id only, none for refused questions.',
    );
    expect(result.stdout).toContain('        1. d1#0 · score 0.500\n');
  });

  it('quotes the nearest passages of a refused question from the index', async () => {
    const root = join(dir, 'indexed');
    const options = { corpusDir: join(root, 'corpus'), dataDir: join(root, 'data'), chunking: DEFAULT_CHUNKING, log: () => {} };
    await writeSmallCorpus(options.corpusDir);
    const engine = await openEngine({ ...options, embedder: useEmbedderOptions(join(root, 'models')), buildIfMissing: true });
    await engine.close();
    await mkdir(options.dataDir, { recursive: true });
    const line = { ts: '2025-03-01T00:00:00.000Z', answerId: 'a', vote: 'down', question: 'What is the weather in Oslo?', answered: false, passages: [] };
    await writeFile(join(options.dataDir, 'feedback.jsonl'), `${JSON.stringify(line)}\n`);
    const result = await runCli('scripts/report.ts', [], { CORPUS_DIR: options.corpusDir, DATA_DIR: options.dataDir, EMBEDDER: 'use', MODELS_DIR: join(root, 'models') });
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(2, 6)).toEqual([
      'Refused questions, by votes, with the nearest passages in the corpus:',
      '   1  What is the weather in Oslo?  (👎 1, 👍 0)',
      '        1. “Heavy rain flooded the riverside road overnight. The council closed it until the water recedes.”',
      '           — Heavy rain floods the riverside road · Coast Herald · 2025-03-06 · score 0.450',
    ]);
  });

  it('keeps the votes of the last N days with --days, and refuses --days with --since (BAD_USAGE, exit 2)', async () => {
    // --days 2 rather than 1, so that a run crossing midnight still counts the vote written "today".
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString();
    const vote = (ts: string, question: string) => JSON.stringify({ ts, answerId: 'a', vote: 'down', question, answered: false, passages: [] });
    await writeFile(join(dir, 'feedback.jsonl'), [vote(day(0), 'Asked today?'), vote(day(9), 'Asked long ago?')].join('\n'));
    const result = await runCli('scripts/report.ts', ['--days', '2'], env);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').filter((l) => l.startsWith('   1  '))).toEqual(['   1  Asked today?  (👎 1, 👍 0)']);
    const both = await runCli('scripts/report.ts', ['--days', '2', '--since', '2025-01-01'], env);
    expect([both.code, both.stderr.trim().split('\n')[0]]).toEqual([2, 'error BAD_USAGE: The command line is not valid. Run it with --help to see the options.']);
  });

  it('rejects a malformed date with BAD_DATE', async () => {
    const result = await runCli('scripts/report.ts', ['--since', '2025-13-01'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error BAD_DATE');
  });
});
