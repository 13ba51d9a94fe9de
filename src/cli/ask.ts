import { createInterface } from 'node:readline';
import { userMessage } from '../errors.js';
import { formatExplanation } from '../index/explain.js';
import { formatAnswerText } from '../present.js';
import type { Answer, Engine } from '../index/types.js';
import { engineFromConfig, parseCli, positiveInt, readConfig, runMain } from './common.js';
import { parseRequestLine } from './requests.js';

const HELP = `
Usage: npm run ask -- [options] "question"

Answers one question by quoting the corpus, best passage first, each with its source.

Options:
  --k N      how many passages to show (default: ANSWER_K, 3)
  --explain  print how the question was read instead of the answer: its terms and their
             expansions, the filters, each ranker's top five, the fused scores, and why it
             was answered or refused (for operators tuning retrieval)
  --json     print one JSON object: {question, answered, passages[{text, score, source}]}.
             With no question, read questions from stdin, one per line, and print one
             JSON object per line (JSONL), loading the model once. A line that starts
             with { is {"question": "…", "history": ["earlier question", …]}: the
             question is read as a follow-up of its history. A line that cannot be read
             gets {question, answered: false, passages: [], error}.
  -h, --help show this help

Logs go to stderr; stdout holds only the answer.
`;

/** The stable --json shape: the evaluation interface. Highlights and offsets stay internal. */
export function answerJson(answer: Answer): object {
  return {
    question: answer.question,
    answered: answer.answered,
    passages: answer.passages.map((p) => ({ text: p.text, score: p.score, source: p.source })),
  };
}

async function answerLines(engine: Engine, k: number): Promise<void> {
  const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    if (!line.trim()) continue;
    let question = line.trim();
    try {
      const request = parseRequestLine(line);
      question = request.question;
      process.stdout.write(`${JSON.stringify(answerJson(await engine.ask(request.question, { k, history: request.history })))}\n`);
    } catch (error) {
      process.stdout.write(`${JSON.stringify({ question, answered: false, passages: [], error: userMessage(error) })}\n`);
    }
  }
}

runMain(async () => {
  const { values, positionals } = parseCli(HELP, { k: { type: 'string' }, json: { type: 'boolean' }, explain: { type: 'boolean' } });
  const config = readConfig();
  const k = positiveInt('--k', values.k, config.answerK);
  const question = positionals.join(' ');
  if (!question && (!values.json || values.explain)) {
    process.stderr.write(HELP);
    process.exitCode = 2;
    return;
  }
  const engine = await engineFromConfig(config);
  if (!question) return answerLines(engine, k);
  if (values.explain) {
    process.stdout.write(values.json ? `${JSON.stringify(await engine.explain(question, { k }))}\n` : `${formatExplanation(await engine.explain(question, { k }))}\n`);
    return;
  }
  const answer = await engine.ask(question, { k });
  process.stdout.write(values.json ? `${JSON.stringify(answerJson(answer))}\n` : `${formatAnswerText(answer, { color: !!process.stdout.isTTY })}\n`);
});
