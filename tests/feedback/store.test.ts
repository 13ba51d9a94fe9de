import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordVote, VOTE_ALREADY, VOTE_NOTED } from '../../src/bot/answer.js';
import type { BotContext, FeedbackSession } from '../../src/bot/context.js';
import { SessionStore } from '../../src/bot/sessions.js';
import { appendFeedback, feedbackLine, feedbackPath } from '../../src/feedback/store.js';

const SUBJECT = {
  question: 'When does the bridge reopen?',
  answered: true,
  passages: [
    { chunkId: 'd1#0', sourceId: 'd1', score: 0.75 },
    { chunkId: 'd2#3', sourceId: 'd2', score: 0.5 },
  ],
};

let dir: string;
let ctx: BotContext;
let feedback: SessionStore<FeedbackSession>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'feedback-'));
  feedback = new SessionStore<FeedbackSession>({ ttlMs: 60_000, max: 10 });
  ctx = { config: { dataDir: dir }, now: () => Date.parse('2025-03-07T10:00:00Z'), sessions: { feedback } } as unknown as BotContext;
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('feedback store', () => {
  it('writes one JSON line with the time, answer id, vote, question, answered and passage ids with scores, in that order', () => {
    const line = feedbackLine({ ts: '2025-03-07T10:00:00.000Z', answerId: 'abcdefgh', vote: 'down', ...SUBJECT });
    expect(line).toBe(
      '{"ts":"2025-03-07T10:00:00.000Z","answerId":"abcdefgh","vote":"down","question":"When does the bridge reopen?","answered":true,' +
        '"passages":[{"chunkId":"d1#0","sourceId":"d1","score":0.75},{"chunkId":"d2#3","sourceId":"d2","score":0.5}]}\n',
    );
  });

  it('appends lines to a file in a directory it creates', async () => {
    const path = join(dir, 'sub', 'feedback.jsonl');
    await appendFeedback(path, { ts: 't1', answerId: 'a', vote: 'up', ...SUBJECT });
    await appendFeedback(path, { ts: 't2', answerId: 'b', vote: 'down', ...SUBJECT });
    const lines = (await readFile(path, 'utf8')).split('\n');
    expect(lines.map((l) => l && JSON.parse(l).ts)).toEqual(['t1', 't2', '']);
  });

  it('keeps one vote per user and answer: the second vote by the same user is ignored, another user still votes', async () => {
    const session = feedback.put({ subject: SUBJECT, voters: new Set() });
    expect(await recordVote(session, 'up', '111222333444555666', ctx)).toBe(VOTE_NOTED);
    expect(await recordVote(session, 'down', '111222333444555666', ctx)).toBe(VOTE_ALREADY);
    expect(await recordVote(session, 'down', '999888777666555444', ctx)).toBe(VOTE_NOTED);
    const text = await readFile(feedbackPath(dir), 'utf8');
    expect(text.split('\n').filter(Boolean).map((l) => [JSON.parse(l).answerId, JSON.parse(l).vote])).toEqual([
      [session, 'up'],
      [session, 'down'],
    ]);
    // Nobody is named: neither user id appears in the file.
    expect(text).not.toContain('111222333444555666');
    expect(text).not.toContain('999888777666555444');
    expect(Object.keys(JSON.parse(text.split('\n')[0]!))).toEqual(['ts', 'answerId', 'vote', 'question', 'answered', 'passages']);
  });

  it('returns null for an expired or unknown answer and writes nothing', async () => {
    expect(await recordVote('nosuchid', 'up', '1', ctx)).toBeNull();
    await expect(readFile(feedbackPath(dir), 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('lets the user vote again when the write failed', async () => {
    const session = feedback.put({ subject: SUBJECT, voters: new Set() });
    const broken = { ...ctx, config: { dataDir: join(dir, 'feedback.jsonl', 'not-a-dir') } } as unknown as BotContext;
    await appendFeedback(feedbackPath(dir), { ts: 't', answerId: 'x', vote: 'up', ...SUBJECT }); // a file where the dir would be
    await expect(recordVote(session, 'up', '1', broken)).rejects.toMatchObject({ code: expect.stringMatching(/ENOTDIR|EEXIST/) });
    expect(await recordVote(session, 'up', '1', ctx)).toBe(VOTE_NOTED);
  });
});
