import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NEW_CONVERSATION_REPLY, runConsole } from '../../src/cli/start.js';
import { ERROR_MESSAGES } from '../../src/errors.js';
import { validateQuestion } from '../../src/index/snapshot.js';
import type { Answer } from '../../src/index/types.js';
import { formatAnswerText, NOT_COVERED } from '../../src/present.js';

const ANSWER: Answer = {
  question: 'What closed?',
  answered: true,
  passages: [
    {
      text: 'The bridge closed.',
      score: 1,
      source: { id: 'a1', kind: 'article', title: 'Bridge', outlet: 'Post', date: '2025-03-07', url: null },
      chunkId: 'a1#0',
      start: 0,
      end: 18,
      highlights: [[4, 10]],
    },
  ],
  more: [],
};

/** Each question the console asked, with the history it passed. */
const asked: Array<{ question: string; history: readonly string[] }> = [];

/** The engine's own validation, then a canned answer for "What closed?". */
const engine = {
  async ask(question: string, options: { history?: readonly string[] } = {}): Promise<Answer> {
    asked.push({ question, history: options.history ?? [] });
    const text = validateQuestion(question);
    return text === 'What closed?' ? ANSWER : { question: text, answered: false, passages: [], more: [] };
  },
};

async function run(input: string, interactive: boolean): Promise<{ out: string; err: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const done = runConsole({ engine, input: stdin, output: stdout, errors: stderr, interactive, color: false, k: 3 });
  stdin.end(input);
  await done;
  return { out, err };
}

describe('npm start console (no DISCORD_TOKEN)', () => {
  it('with piped stdin answers each line with formatAnswerText and exits at the end', async () => {
    const { out, err } = await run('What closed?\n\nWho won?\n', false);
    expect(out).toBe(`${formatAnswerText(ANSWER, { color: false })}\n\n${NOT_COVERED}\n\n`);
    expect(err).toBe('');
  });

  it('prints the user message for a bad question and carries on', async () => {
    const { out, err } = await run(`${'x'.repeat(501)}\nWhat closed?\n`, false);
    expect(err).toBe(`${ERROR_MESSAGES.QUESTION_TOO_LONG}\nIt has 501 characters; the limit is 500.\n`);
    expect(out).toBe(`${formatAnswerText(ANSWER, { color: false })}\n\n`);
  });

  it('answers a line with no letters or digits with "ask a question in words", never INTERNAL', async () => {
    const { out, err } = await run('😀😀😀\n...\nWhat closed?\n', false);
    expect(err).toBe(`${ERROR_MESSAGES.QUESTION_NO_WORDS}\n${ERROR_MESSAGES.QUESTION_NO_WORDS}\n`);
    expect(out).toBe(`${formatAnswerText(ANSWER, { color: false })}\n\n`);
  });

  it('interactively prompts, answers, and leaves on "exit"', async () => {
    const { out } = await run('What closed?\nexit\nWho won?\n', true);
    expect(out).toContain('Type exit or press Ctrl-D to leave.');
    expect(out).toContain('ask> ');
    expect(out).toContain('“The bridge closed.”');
    expect(out).not.toContain(NOT_COVERED);
  });

  it('prints a log line that arrives while the prompt waits above the prompt, then redraws the prompt with what was typed', async () => {
    const stdin = new PassThrough();
    const terminal = new PassThrough();
    let out = '';
    terminal.on('data', (d) => (out += d));
    let print: (line: string) => void = () => {};
    const done = runConsole({ engine, input: stdin, output: terminal, errors: terminal, interactive: true, color: false, k: 3, attachLog: (p) => (print = p) });
    stdin.write('What clo');
    await new Promise((resolve) => setImmediate(resolve));
    const before = out.length;
    print('index: loaded build b2 (123 chunks)');
    const after = out.slice(before);
    stdin.end('sed?\nexit\n');
    await done;
    // Clear the line, go to column 0, the log line, then the prompt and the typed text again.
    expect(after).toMatch(/^\x1b\[2K\x1b\[1Gindex: loaded build b2 \(123 chunks\)\n.*ask> What clo/s);
    expect(out).toContain('“The bridge closed.”');
  });

  it('passes the session\'s earlier questions as history, and /new forgets them', async () => {
    asked.length = 0;
    const { out } = await run(`What closed?\n${'x'.repeat(501)}\n  Why?  \n/new\nWhen?\nAnd then?\n`, false);
    expect(asked.map((a) => [a.question.slice(0, 12), a.history])).toEqual([
      ['What closed?', []],
      ['xxxxxxxxxxxx', ['What closed?']],
      ['Why?', ['What closed?']],
      ['When?', []],
      ['And then?', ['When?']],
    ]);
    expect(out).toContain(`\n${NEW_CONVERSATION_REPLY}\n\n`);
  });
});
