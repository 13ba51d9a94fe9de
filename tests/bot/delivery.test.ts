/**
 * No answer lost, none doubled: the real bot against the fake Discord injecting delivery faults
 * (a socket dropped before or after the request took effect, a 502 that still took effect).
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ERROR_MESSAGES } from '../../src/errors.js';
import type { Json } from '../support/fake-discord.js';
import { expectNoPings, openWorkspace, parsedLogs, startHarness, type Harness, type Workspace } from './harness.js';

const QUESTION = 'What is the Zangezur corridor?';
const ORIGINAL = /\/messages\/@original$/;
const CALLBACK = /^\/interactions\/\d+\/[^/]+\/callback$/;

let ws: Workspace;
let h: Harness;

beforeAll(async () => {
  ws = await openWorkspace();
});
afterAll(async () => {
  await ws?.cleanup();
});
beforeEach(async () => {
  h = await startHarness(ws);
});
afterEach(async () => {
  const fake = h.fake;
  await h.close();
  expectNoPings(fake);
});

/** Waits for the bot's log line about the interaction or message, once it has finished with it. */
async function finished(event: 'interaction' | 'message', count = 1): Promise<Json[]> {
  await vi.waitFor(() => expect(parsedLogs(h).filter((l) => l.event === event).length).toBeGreaterThanOrEqual(count), {
    timeout: 10_000,
    interval: 20,
  });
  return parsedLogs(h).filter((l) => l.event === event);
}

/** The bot's replies to a message, as Discord stores them. */
function repliesTo(messageId: string): Json[] {
  return h.fake.messagesIn(h.fake.channelId).filter((m) => (m as Json).message_reference?.message_id === messageId);
}

describe('/ask delivery', () => {
  it('retries the answer edit when the socket drops before Discord applied it: the user gets the answer, not INTERNAL', async () => {
    h.fake.dropSocketNext({ method: 'PATCH', route: ORIGINAL });
    const i = h.fake.slashCommand('ask', { question: QUESTION });
    const [entry] = await finished('interaction');
    expect(entry).toMatchObject({ command: 'ask', ok: true, answered: true });
    expect(i.original()?.embeds[0]?.title).toBe(QUESTION);
    expect(i.calls().filter((c) => c.method === 'PATCH').map((c) => c.status)).toEqual([0, 200]);
  });

  it('never replaces a delivered answer with an error notice when the socket drops after Discord applied the edit', async () => {
    // Every try of the edit (the first and 4 retries) loses its response.
    h.fake.dropSocketNext({ method: 'PATCH', route: ORIGINAL }, { applied: true, times: 5 });
    const i = h.fake.slashCommand('ask', { question: QUESTION });
    await finished('interaction');
    const original = i.original()!;
    expect(original.embeds[0]?.title).toBe(QUESTION);
    expect(original.content).not.toBe(ERROR_MESSAGES.INTERNAL);
    expect(i.calls().filter((c) => c.method === 'PATCH').map((c) => c.status)).toEqual([0, 0, 0, 0, 0]);
    expect(parsedLogs(h).find((l) => l.kept)).toMatchObject({ where: 'reply-error', kept: 'the answer already shown' });
  });

  it('a defer that took effect but answered 502 still gets the answer edited into @original (after 40060)', async () => {
    h.fake.failAfterApplyNext({ method: 'POST', route: CALLBACK }, { status: 502 });
    const i = h.fake.slashCommand('ask', { question: QUESTION });
    const [entry] = await finished('interaction');
    expect(entry).toMatchObject({ command: 'ask', ok: true, answered: true });
    const original = i.original()!;
    expect(original.embeds[0]?.title).toBe(QUESTION);
    expect(original.flags ?? 0).toBe(0); // no longer "thinking…" (Loading, 128)
  });

  it('a defer whose socket dropped after it took effect still gets the answer', async () => {
    h.fake.dropSocketNext({ method: 'POST', route: CALLBACK }, { applied: true });
    const i = h.fake.slashCommand('ask', { question: QUESTION });
    const [entry] = await finished('interaction');
    expect(entry).toMatchObject({ ok: true, answered: true });
    expect(i.original()?.embeds[0]?.title).toBe(QUESTION);
  });
});

describe('message delivery', () => {
  it('posts a mention reply once when its POST took effect but answered 502 (nonce + enforce_nonce)', async () => {
    h.fake.failAfterApplyNext({ method: 'POST', route: `/channels/${h.fake.channelId}/messages` }, { status: 502 });
    const question = h.fake.message(QUESTION, { mentionsBot: true });
    const [entry] = await finished('message');
    expect(entry).toMatchObject({ ok: true, answered: true });
    const replies = repliesTo(question.id);
    expect(replies).toHaveLength(1);
    const posts = h.fake.findCalls({ method: 'POST', route: `/channels/${h.fake.channelId}/messages` });
    expect(posts.length).toBeGreaterThanOrEqual(2);
    for (const post of posts) expect(post.body).toMatchObject({ nonce: posts[0]!.body.nonce, enforce_nonce: true });
  });

  it('posts no error notice under an answer whose every try lost its response (it may well show)', async () => {
    h.fake.dropSocketNext({ method: 'POST', route: `/channels/${h.fake.channelId}/messages` }, { applied: true, times: 5 });
    const question = h.fake.message(QUESTION, { mentionsBot: true });
    const [entry] = await finished('message');
    expect(entry).toMatchObject({ ok: false, code: 'INTERNAL' });
    const replies = repliesTo(question.id);
    expect(replies).toHaveLength(1);
    expect(replies[0]!.embeds[0]?.title).toBe(QUESTION);
  });

  it('retries a mention reply whose socket dropped, and posts it once whether or not Discord had applied it', async () => {
    h.fake.dropSocketNext({ method: 'POST', route: `/channels/${h.fake.channelId}/messages` }, { applied: true });
    const first = h.fake.message(QUESTION, { mentionsBot: true });
    await finished('message');
    h.fake.dropSocketNext({ method: 'POST', route: `/channels/${h.fake.channelId}/messages` });
    const second = h.fake.message(QUESTION, { mentionsBot: true, author: h.fake.otherUser });
    const entries = await finished('message', 2);
    expect(entries.map((e) => e.ok)).toEqual([true, true]);
    expect(repliesTo(first.id)).toHaveLength(1);
    expect(repliesTo(second.id)).toHaveLength(1);
    expect(repliesTo(second.id)[0]!.embeds[0]?.title).toBe(QUESTION);
  });
});
