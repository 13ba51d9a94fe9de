import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

const ask = (args: string[], stdin = '') => runCli('src/cli/ask.ts', args, env, stdin);

function expectContract(answer: Record<string, unknown>, question: string) {
  expect(Object.keys(answer)).toEqual(['question', 'answered', 'passages']);
  expect(answer.question).toBe(question);
  for (const passage of answer.passages as Array<Record<string, any>>) {
    expect(Object.keys(passage)).toEqual(['text', 'score', 'source']);
    expect(typeof passage.text).toBe('string');
    expect(typeof passage.score).toBe('number');
    expect(Object.keys(passage.source)).toEqual(['id', 'kind', 'title', 'outlet', 'date', 'url']);
    expect(['article', 'headline']).toContain(passage.source.kind);
    expect(passage.source.date === null || /^\d{4}-\d{2}-\d{2}$/.test(passage.source.date)).toBe(true);
  }
}

describe('npm run ask --json', () => {
  it('prints exactly one JSON object on stdout, logs only on stderr', async () => {
    const result = await ask(['--json', '--k', '2', 'Who blocked the Lachin corridor?']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    const answer = JSON.parse(lines[0]!);
    expectContract(answer, 'Who blocked the Lachin corridor?');
    expect(answer.answered).toBe(true);
    expect(answer.passages).toHaveLength(2);
    expect(answer.passages[0].text).toContain('blocked the Lachin corridor');
    expect(answer.passages[0].source).toEqual({ id: expect.stringMatching(/^a[0-9a-f]{7}$/), kind: 'article', title: 'Are Iran and Azerbaijan coming to the brink of war?', outlet: 'Middle East Eye', date: null, url: null });
  });

  it('reads questions from stdin and writes one object per line when no question is given', async () => {
    const result = await ask(['--json'], 'Who blocked the Lachin corridor?\n\nWho wrote Hamlet?\n');
    expect(result.code).toBe(0);
    const answers = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(answers.map((a) => [a.question, a.answered])).toEqual([['Who blocked the Lachin corridor?', true], ['Who wrote Hamlet?', false]]);
    expectContract(answers[1], 'Who wrote Hamlet?');
    expect(answers[1].passages).toEqual([]);
  });

  it('reads a stdin line that starts with { as a question with its history, and a bad one as an error line', async () => {
    const lines = [
      JSON.stringify({ question: 'When did they fly there?', history: ['Did Russian missile specialists go to Iran?'] }),
      'When did they fly there?',
      '{"question": "When did they fly there?", "history": "Did Russian missile specialists go to Iran?"}',
      '{"question": ',
      JSON.stringify({ question: 'Who blocked the Lachin corridor?' }),
    ];
    const result = await ask(['--json', '--k', '1'], `${lines.join('\n')}\n`);
    expect(result.code).toBe(0);
    const answers = result.stdout.trimEnd().split('\n').map((line) => JSON.parse(line));
    expect(answers.map((a) => [a.question, a.answered, a.passages[0]?.source.title ?? null])).toEqual([
      ['When did they fly there?', true, 'Exclusive: Russian missile experts flew to Iran amid clashes with Israel'],
      ['When did they fly there?', false, null],
      [lines[2], false, null],
      ['{"question":', false, null],
      ['Who blocked the Lachin corridor?', true, 'Are Iran and Azerbaijan coming to the brink of war?'],
    ]);
    expectContract(answers[0], 'When did they fly there?');
    const badLine = 'A line that starts with { must be a JSON object: {"question": "…", "history"?: ["earlier question", …]}.';
    expect(answers[2]).toEqual({ question: lines[2], answered: false, passages: [], error: `${badLine}\n"history" must be a list of strings, oldest first.` });
    expect(answers[3].error).toMatch(new RegExp(`^${badLine.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\nNot valid JSON: `));
  });

  it('keeps --json text plain: no bold markers', async () => {
    const answer = JSON.parse((await ask(['--json', 'What is the Zangezur corridor?'])).stdout);
    expect(answer.passages.some((p: { text: string }) => /\*\*|\x1b\[/.test(p.text))).toBe(false);
  });
});

describe('npm run ask', () => {
  it('prints numbered quotes with their source lines; a headline quoted whole is not repeated as its title', async () => {
    const result = await ask(['--k', '1', 'Did Russian missile specialists go to Iran?']);
    expect(result.stdout).toBe('1. “Exclusive: Russian missile experts flew to Iran amid clashes with Israel”\n   — Reuters · 2025-03-07\n');
  });

  it('answers --help with usage and exit code 0, and a bad flag with exit code 2', async () => {
    const help = await ask(['--help']);
    expect([help.code, help.stdout.split('\n')[0]]).toEqual([0, 'Usage: npm run ask -- [options] "question"']);
    const bad = await ask(['--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("Unknown option '--bogus'");
  });

  it.each(['0', '1.5'])('rejects --k %s with code BAD_USAGE and exit code 2, like every usage error', async (k) => {
    const result = await ask(['--k', k, 'Iran?']);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`error BAD_USAGE: The command line is not valid. Run it with --help to see the options.\n--k takes a whole number of at least 1, not "${k}".\n`);
  });

  it('answers a question with no letters or digits with QUESTION_NO_WORDS, not INTERNAL, alone and in JSONL', async () => {
    const result = await ask(['😀😀😀']);
    expect([result.code, result.stdout]).toEqual([1, '']);
    expect(result.stderr).toContain('error QUESTION_NO_WORDS: Ask a question in words');
    expect(result.stderr).not.toContain('INTERNAL');
    const lines = await ask(['--json'], '???\n');
    expect(JSON.parse(lines.stdout)).toEqual({ question: '???', answered: false, passages: [], error: 'Ask a question in words: that had no letters or digits to search for.' });
  });
});

describe('npm run ask --explain', () => {
  it('prints the terms, expansions, filters, each ranker\'s top five and the verdict', async () => {
    const result = await ask(['--explain', 'What did Reuters say about the truce between Cairo and Tehran in March?']);
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'question: What did Reuters say about the truce between Cairo and Tehran in March?',
      'searched: What did say about the truce between Cairo and Tehran ?',
      'terms: truce, cairo, tehran',
    ]);
    expect(lines).toContain('  Cairo -> egypt  (place "Egypt", weight 0.8)');
    expect(lines).toContain('  truce -> ceasefir  (synonym "cease-fire", weight 0.5)');
    expect(lines).toContain('filters: outlet Reuters, date *-3-*');
    for (const ranker of ['dense', 'BM25', 'fused']) {
      const at = lines.findIndex((line) => line.startsWith(`${ranker} top `));
      const count = Number(/top (\d+):$/.exec(lines[at]!)![1]);
      expect(count).toBeGreaterThan(0);
      expect(lines.slice(at + 1, at + 1 + count).every((line, i) => line.startsWith(`  ${i + 1}. `))).toBe(true);
    }
    expect(lines).toContain('dense top 5:');
    expect(lines.at(-1)).toMatch(/^(answered|refused): /);
  });

  it('prints the explanation as one JSON object with --json, and its refusal reason', async () => {
    const result = await ask(['--explain', '--json', 'What is the population of Azerbaijan?']);
    const explained = JSON.parse(result.stdout);
    expect(Object.keys(explained)).toEqual(['question', 'searchText', 'terms', 'expansions', 'history', 'filters', 'rankers', 'evidence', 'answered', 'reason']);
    expect([explained.answered, explained.reason]).toEqual([false, 'refused: the question asks about "population", which the corpus never mentions']);
  });
});
