import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSnapshot } from '../../src/index/engine.js';
import { evaluate, readQuestions, SYSTEMS } from '../../src/eval/run.js';
import type { Scores } from '../../src/eval/metrics.js';
import { runCli } from '../support/run-cli.js';
import { DEV_SET, seedEngine, seedWorkspace, useEmbedderOptions, type SeedWorkspace } from '../support/seed.js';

let ws: SeedWorkspace;
const scores = new Map<string, Scores>();
beforeAll(async () => {
  ws = await seedWorkspace();
  await (await seedEngine(ws)).close();
  const snapshot = await loadSnapshot(ws.dataDir, useEmbedderOptions(join(ws.root, 'models')));
  const questions = await readQuestions(DEV_SET);
  for (const system of SYSTEMS) scores.set(system.mode, await evaluate(snapshot, questions, system.mode));
});
afterAll(() => ws.cleanup());

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

describe('npm run eval', () => {
  it('prints the table for Newsdesk and both baselines, then each system\'s misses', async () => {
    const result = await runCli('scripts/eval.ts', [DEV_SET], { CORPUS_DIR: ws.corpusDir, DATA_DIR: ws.dataDir, EMBEDDER: 'use', MODELS_DIR: join(ws.root, 'models') });
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[2]).toMatch(/^system\s+R@1\s+R@3\s+MRR@10\s+refusals right\s+false refusals$/);
    expect(lines[4]).toMatch(/^Newsdesk \(hybrid\)\s+0\.\d\d\s+1\.00\s+0\.\d\d\s+2\/2\s+0\s*$/);
    expect(lines[5]).toMatch(/^BM25 alone\s/);
    expect(lines[6]).toMatch(/^Dense alone\s/);
    expect(result.stdout).toContain('Dense alone misses:');
  });

  it('says BAD_USAGE without a questions file', async () => {
    const result = await runCli('scripts/eval.ts', [], {});
    expect([result.code, result.stderr.split('\n')[0]]).toEqual([1, 'error BAD_USAGE: The command line is not valid. Run it with --help to see the options.']);
  });
});
