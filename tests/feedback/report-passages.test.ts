/** The report's passages quoted from a real index (USE + hnswlib) over a four-document corpus. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatReport, summarizeFeedback } from '../../src/feedback/report.js';
import { withPassages } from '../../src/feedback/report-passages.js';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { openEngine } from '../../src/index/engine.js';
import type { Engine } from '../../src/index/types.js';
import { useEmbedderOptions } from '../support/seed.js';
import { writeSmallCorpus } from '../support/small-corpus.js';

let root: string;
let engine: Engine;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'report-passages-'));
  await writeSmallCorpus(join(root, 'corpus'));
  const options = { corpusDir: join(root, 'corpus'), dataDir: join(root, 'data'), chunking: DEFAULT_CHUNKING, log: () => {} };
  engine = await openEngine({ ...options, embedder: useEmbedderOptions(join(root, 'models')), buildIfMissing: true });
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

const vote = (day: string, vote: string, question: string, answered: boolean, passages: Array<[string, number]> = []) =>
  JSON.stringify({ ts: `2025-03-${day}T09:00:00.000Z`, answerId: day, vote, question, answered, passages: passages.map(([chunkId, score]) => ({ chunkId, sourceId: chunkId.split('#')[0], score })) });

const FEEDBACK = [
  vote('10', 'down', 'What is the weather in Oslo?', false),
  vote('11', 'down', 'what is the weather in oslo?', false),
  vote('11', 'down', '???', false),
  vote('12', 'down', 'When does the bridge reopen?', true, [['afcd469b#0', 1], ['a4f59aa6#0', 0.2426], ['gone#3', 0.2]]),
].join('\n');

describe('engine.nearest', () => {
  it('returns the best candidates of a question that ask refuses', async () => {
    expect((await engine.ask('What is the weather in Oslo?')).answered).toBe(false);
    const nearest = await engine.nearest('What is the weather in Oslo?', 2);
    expect(nearest.map((p) => [p.chunkId, p.score, p.source.title])).toEqual([
      ['a4f59aa6#0', 0.45, 'Heavy rain floods the riverside road'],
      ['afcd469b#0', 0.2057, 'Harbour bridge closes for repairs'],
    ]);
  });

  it('rejects a question with no words as ask does (QUESTION_NO_WORDS)', async () => {
    await expect(engine.nearest('???')).rejects.toMatchObject({ code: 'QUESTION_NO_WORDS' });
  });
});

describe('engine.passage', () => {
  it('quotes a stored chunk id again, and gives undefined for one a re-index dropped', () => {
    expect(engine.passage('afcd469b#0', 'When does the bridge reopen?', 0.5)).toMatchObject({
      text: 'The harbour bridge closed on Monday for repairs to its deck.',
      score: 0.5,
      source: { title: 'Harbour bridge closes for repairs', outlet: 'Valley Courier', date: '2025-03-03' },
    });
    expect(engine.passage('gone#3', 'When does the bridge reopen?', 0.5)).toBeUndefined();
  });
});

describe('withPassages', () => {
  it('quotes the nearest passages of refused questions and the shown passages of answers voted 👎, with source lines', async () => {
    const report = formatReport(await withPassages(summarizeFeedback(FEEDBACK, {}), engine));
    expect(report).toBe(
      [
        'Feedback all time: 4 votes (👎 4, 👍 0).',
        '',
        'Refused questions, by votes, with the nearest passages in the corpus:',
        '   2  What is the weather in Oslo?  (👎 2, 👍 0)',
        '        1. “Heavy rain flooded the riverside road overnight. The council closed it until the water recedes.”',
        '           — Heavy rain floods the riverside road · Coast Herald · 2025-03-06 · score 0.450',
        '        2. “The harbour bridge closed on Monday for repairs to its deck. Engineers expect the work to take six weeks.”',
        '           — Harbour bridge closes for repairs · Valley Courier · 2025-03-03 · score 0.206',
        '        3. “The Rovers beat the Wanderers two goals to one in the final of the regional football cup.”',
        '           — Rovers win the regional football cup · Valley Courier · 2025-03-05 · score 0.187',
        '   1  ???  (👎 1, 👍 0)',
        '',
        'Answered questions voted 👎, by 👎 votes, with the passages they showed:',
        '   1  When does the bridge reopen?  (👎 1, 👍 0)',
        '        1. “The harbour bridge closed on Monday for repairs to its deck.”',
        '           — Harbour bridge closes for repairs · Valley Courier · 2025-03-03 · score 1.000',
        '        2. “Heavy rain flooded the riverside road overnight. The council closed it until the water recedes.”',
        '           — Heavy rain floods the riverside road · Coast Herald · 2025-03-06 · score 0.243',
        '        3. gone#3 · score 0.200: no longer in the index (re-indexed since the vote)',
        '',
      ].join('\n'),
    );
  });
});
