import { createInterface } from 'node:readline';
import { userMessage } from '../errors.js';
import { formatExplanation } from '../index/explain.js';
import { formatAnswerText, formatTimelineText } from '../present.js';
import { NewsdeskError } from '../errors.js';
import type { Answer, Engine, Passage, Timeline } from '../index/types.js';
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
  --json     print one JSON object: {question, answered, passages[{text, score, source}]},
             plus coverage{kind, topic, documents, outlets[{outlet, count, dates}]} for a
             question about the coverage ("which outlets covered …?").
             With no question, read questions from stdin, one per line, and print one
             JSON object per line (JSONL), loading the model once. A line that starts
             with { is {"question": "…", "history": ["earlier question", …]}: the
             question is read as a follow-up of its history. A line that cannot be read
             gets {question, answered: false, passages: [], error}.
  --timeline the passages on the topic, day by day, oldest first (with --json:
             {topic, total, days[{date, passages[{text, score, source}]}]})
  --from D   with --timeline: from this day, YYYY-MM-DD
  --to D     with --timeline: until this day, YYYY-MM-DD
  -h, --help show this help

Logs go to stderr; stdout holds only the answer.
`;

/** The stable --json shape: the evaluation interface. Highlights and offsets stay internal. */
export function answerJson(answer: Answer): object {
  return {
    question: answer.question,
    answered: answer.answered,
    passages: answer.passages.map(passageJson),
    ...(answer.coverage && { coverage: answer.coverage }),
  };
}

const passageJson = (p: Passage) => ({ text: p.text, score: p.score, source: p.source });

/** A timeline passage that follows the topic's story without its words says which passage it follows. */
const timelinePassageJson = (p: Passage) => ({ ...passageJson(p), ...(p.follows && { follows: p.follows }) });

export function timelineJson(timeline: Timeline): object {
  return { topic: timeline.topic, total: timeline.total, days: timeline.days.map((d) => ({ date: d.date, passages: d.passages.map(timelinePassageJson) })) };
}

function isoDate(name: string, value: string | undefined): string | undefined {
  if (value !== undefined && (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`)))) {
    throw new NewsdeskError('BAD_DATE', `${name}: "${value}" is not a date.`);
  }
  return value;
}

async function printTimeline(engine: Engine, topic: string, from: string | undefined, to: string | undefined, json: boolean): Promise<void> {
  const found = await engine.timeline({ topic, ...(from && { from }), ...(to && { to }) });
  process.stdout.write(json ? `${JSON.stringify(timelineJson(found))}\n` : `${formatTimelineText(found, { color: !!process.stdout.isTTY })}\n`);
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
  const { values, positionals } = parseCli(HELP, {
    k: { type: 'string' },
    json: { type: 'boolean' },
    explain: { type: 'boolean' },
    timeline: { type: 'boolean' },
    from: { type: 'string' },
    to: { type: 'string' },
  });
  const config = readConfig();
  const k = positiveInt('--k', values.k, config.answerK);
  const question = positionals.join(' ');
  const from = isoDate('--from', values.from);
  const to = isoDate('--to', values.to);
  if (from && to && from > to) throw new NewsdeskError('BAD_RANGE', `--from ${from} is after --to ${to}.`);
  if (!question && (!values.json || values.explain || values.timeline)) {
    process.stderr.write(HELP);
    process.exitCode = 2;
    return;
  }
  // One process per question (or a sequential stream of them): no event loop to keep free, so the
  // query embedder loads on this thread, which starts faster than a worker (about 0.5 s at 100k).
  const engine = await engineFromConfig({ ...config, embedder: { ...config.embedder, threads: 0 } });
  if (values.timeline) return printTimeline(engine, question, from, to, !!values.json);
  if (!question) return answerLines(engine, k);
  if (values.explain) {
    process.stdout.write(values.json ? `${JSON.stringify(await engine.explain(question, { k }))}\n` : `${formatExplanation(await engine.explain(question, { k }))}\n`);
    return;
  }
  const answer = await engine.ask(question, { k });
  process.stdout.write(values.json ? `${JSON.stringify(answerJson(answer))}\n` : `${formatAnswerText(answer, { color: !!process.stdout.isTTY })}\n`);
});
