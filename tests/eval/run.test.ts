import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate, parseQuestionLine, readQuestions, SYSTEMS } from '../../src/eval/run.js';
import type { Scores } from '../../src/eval/metrics.js';
import type { Engine } from '../../src/index/types.js';
import { runCli } from '../support/run-cli.js';
import { DEV_SET, seedEngine, seedWorkspace, type SeedWorkspace } from '../support/seed.js';

let ws: SeedWorkspace;
let engine: Engine;
let followups: string;
const scores = new Map<string, Scores>();
beforeAll(async () => {
  ws = await seedWorkspace();
  engine = await seedEngine(ws);
  const questions = await readQuestions(DEV_SET);
  for (const system of SYSTEMS) scores.set(system.mode, await evaluate(engine, questions, system.mode));
  followups = join(ws.root, 'followups.jsonl');
  await writeFile(followups, [
    JSON.stringify({ history: ['Did Russian missile specialists go to Iran?'], q: 'When did they fly there?', gold: ['Russian missile experts flew'] }),
    '',
    JSON.stringify({ history: ['Did Russian missile specialists go to Iran?'], q: 'Who blocked the Lachin corridor?', gold: ['blocked the Lachin corridor'] }),
  ].join('\n'));
});
afterAll(async () => {
  await engine.close();
  await ws.cleanup();
});

describe('evaluation on the dev set', () => {
  it('finds a correct passage in the top 3 for every answerable question', () => {
    expect(scores.get('hybrid')!.r3).toBe(1);
  });

  it('beats BM25 alone and dense alone on R@1 and MRR@10', () => {
    const [hybrid, lexical, dense] = (['hybrid', 'lexical', 'dense'] as const).map((m) => scores.get(m)!);
    console.log(`R@1 hybrid ${hybrid!.r1.toFixed(2)}, BM25 ${lexical!.r1.toFixed(2)}, dense ${dense!.r1.toFixed(2)}`);
    expect(hybrid!.r1).toBeGreaterThan(Math.max(lexical!.r1, dense!.r1));
    expect(hybrid!.mrr10).toBeGreaterThan(Math.max(lexical!.mrr10, dense!.mrr10));
  });

  it('refuses both unanswerable questions and no answerable one', () => {
    expect(scores.get('hybrid')).toMatchObject({ unanswerable: 2, refusalsRight: 2, falseRefusals: 0 });
  });
});

describe('questions with history', () => {
  it('asks each question with its history, through the engine', async () => {
    const questions = await readQuestions(followups);
    expect(questions.map((q) => q.history)).toEqual([['Did Russian missile specialists go to Iran?'], ['Did Russian missile specialists go to Iran?']]);
    const withHistory = await evaluate(engine, questions, 'hybrid');
    expect(withHistory.results.map((r) => [r.answered, r.rank])).toEqual([[true, 1], [true, 1]]);
    const ignored = await evaluate(engine, questions, 'hybrid', 'ignore');
    expect(ignored.results.map((r) => [r.answered, r.rank])).toEqual([[false, null], [true, 1]]);
    const pasted = await evaluate(engine, questions, 'hybrid', 'paste');
    expect(pasted.results[0]!.answered).toBe(true);
  });
});

describe('reading questions files', () => {
  it('names the file and its own line number for a malformed line', async () => {
    const path = join(ws.root, 'bad.jsonl');
    await writeFile(path, `${JSON.stringify({ q: 'ok?', gold: ['x'] })}\n\n{"q": "broken"\n`);
    await expect(readQuestions(path)).rejects.toMatchObject({ code: 'EVAL_FILE_INVALID', detail: expect.stringMatching(new RegExp(`^${path}:3: not valid JSON`)) });
  });

  it('says what each line needs', () => {
    const detail = (line: string) => { try { parseQuestionLine(line, 'f.jsonl:7'); return null; } catch (e) { return (e as { detail: string }).detail; } };
    expect(detail('{"q": 1, "gold": []}')).toBe('f.jsonl:7: needs "q" (a string) and "gold" (a list of strings).');
    expect(detail('[1]')).toBe('f.jsonl:7: needs "q" (a string) and "gold" (a list of strings).');
    expect(detail('{"q": "a?", "gold": [], "history": "b?"}')).toBe('f.jsonl:7: "history" must be a list of strings, oldest first.');
    expect(detail('{"q": "a?", "gold": ["g"], "history": ["b?"]}')).toBeNull();
  });

  it('names a missing file', async () => {
    await expect(readQuestions(join(ws.root, 'nope.jsonl'))).rejects.toMatchObject({ code: 'EVAL_FILE_INVALID', detail: `${join(ws.root, 'nope.jsonl')}: no such file.` });
  });
});

describe('npm run eval', () => {
  const env = () => ({ CORPUS_DIR: ws.corpusDir, DATA_DIR: ws.dataDir, EMBEDDER: 'use', MODELS_DIR: join(ws.root, 'models') });

  it('prints the table for Newsdesk and both baselines for each file, and the misses with --misses', async () => {
    const result = await runCli('scripts/eval.ts', [DEV_SET, followups, '--misses'], env());
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^index built \S+ \(use:/);
    expect(lines[2]).toBe(`${DEV_SET}: 20 questions`);
    expect(lines[4]).toMatch(/^system\s+R@1\s+R@3\s+MRR@10\s+refusals right\s+false refusals$/);
    expect(lines[6]).toMatch(/^Newsdesk \(hybrid\)\s+0\.\d\d\s+1\.00\s+0\.\d\d\s+2\/2\s+0\s*$/);
    expect(lines[7]).toMatch(/^BM25 alone\s/);
    expect(lines[8]).toMatch(/^Dense alone\s/);
    expect(result.stdout).toContain('Dense alone misses:');
    const second = lines.indexOf(`${followups}: 2 questions`);
    expect(lines[second + 4]).toMatch(/^Newsdesk \(hybrid\)\s+1\.00\s+1\.00\s+1\.00\s+0\/0\s+0\s*$/);
    expect(result.stdout.slice(result.stdout.lastIndexOf(followups))).toContain('Newsdesk (hybrid): no misses');
  });

  it('names a missing file and its problem, with no stack, and exits 1', async () => {
    const result = await runCli('scripts/eval.ts', [DEV_SET, 'missing.jsonl'], env());
    expect([result.code, result.stderr.trim().split('\n')]).toEqual([1, [
      'error EVAL_FILE_INVALID: A questions file could not be read. Fix the file or line named below: each line is {"q": "…", "gold": ["…"], "history"?: ["…"], "unanswerable"?: true}.',
      'missing.jsonl: no such file.',
    ]]);
  });

  it('says BAD_USAGE without a questions file, or with an unknown --history, and exits 2', async () => {
    const result = await runCli('scripts/eval.ts', [], {});
    expect([result.code, result.stderr.split('\n')[0]]).toEqual([2, 'error BAD_USAGE: The command line is not valid. Run it with --help to see the options.']);
    const history = await runCli('scripts/eval.ts', [DEV_SET, '--history', 'prepend'], {});
    expect([history.code, history.stderr.split('\n')[1]]).toEqual([2, '--history takes use, paste or ignore, not "prepend".']);
  });
});
