/** `npm run report` as a child process: no file yet, a period, a bad date. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

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

  it('prints the report for the period from the file', async () => {
    const line = { answerId: 'a', vote: 'down', question: 'Who won the cup?', answered: false, passages: [] };
    await writeFile(
      join(dir, 'feedback.jsonl'),
      [JSON.stringify({ ts: '2025-03-01T00:00:00.000Z', ...line }), JSON.stringify({ ts: '2025-03-09T00:00:00.000Z', ...line })].join('\n'),
    );
    const result = await runCli('scripts/report.ts', ['--until', '2025-03-05'], env);
    expect(result.code).toBe(0);
    expect(result.stdout.split('\n').slice(0, 4)).toEqual([
      'Feedback until 2025-03-05: 1 vote (👎 1, 👍 0).',
      '',
      'Refused questions, by votes:',
      '   1  Who won the cup?  (👎 1, 👍 0)',
    ]);
  });

  it('rejects a malformed date with BAD_DATE', async () => {
    const result = await runCli('scripts/report.ts', ['--since', '2025-13-01'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error BAD_DATE');
  });
});
