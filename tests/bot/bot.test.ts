/**
 * The real bot (startBot, the real discord.js client) against the fake Discord on 127.0.0.1, with a
 * real engine over the seed corpus. Every command and component goes in as a real payload; the
 * assertions are on the exact REST bodies the bot sent.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PermissionFlagsBits } from 'discord.js';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { escapeText } from '../../src/bot/text.js';
import { ERROR_MESSAGES } from '../../src/errors.js';
import type { Answer, Passage } from '../../src/index/types.js';
import { highlight, NOT_COVERED } from '../../src/present.js';
import type { Call, Json } from '../support/fake-discord.js';
import { expectNoPings, openWorkspace, parsedLogs, sentMessages, startHarness, type Harness, type Workspace } from './harness.js';

const ZANGEZUR = 'What is the Zangezur corridor?';
const WORLD_CUP = 'Who won the World Cup?';
const EPHEMERAL = 64;

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
  // Whatever the test did: every message the bot sent forbade every ping.
  const fake = h.fake;
  await h.close();
  expectNoPings(fake);
  // And the token never reached a log line.
  for (const line of h.logs) expect(line).not.toContain(fake.token);
});

/** The numbered source line, built here independently of the renderer. */
function sourceLineOf(p: Passage, n: number): string {
  const s = p.source;
  const link = s.url ? ` · [${new URL(s.url).hostname.replace(/^www\./, '')}](${s.url})` : '';
  const title = s.kind === 'headline' && p.text === s.title ? '' : s.title;
  return `**${n}.** ${[title, s.outlet, s.date].filter(Boolean).join(' · ')}${link} · \`${s.id}\``;
}

/** The expected embed description: each passage as a block quote, query terms bold, then its source line. */
function expectedDescription(passages: Passage[], first: number): string {
  for (const p of passages) expect(`${p.text}${p.source.title}`, 'test expects no markdown to escape').not.toMatch(/[*_~`|\\<>]/);
  return passages.map((p, i) => `> ${highlight(p, '**', '**')}\n${sourceLineOf(p, first + i)}`).join('\n\n');
}

/** The body is the answer: its passages in the embed, or the plain not-covered text. */
function expectAnswerBody(body: Json, answer: Answer): void {
  if (answer.answered) {
    expect(body.embeds[0].title).toBe(answer.question);
    expect(body.embeds[0].description).toBe(expectedDescription(answer.passages, 1));
  } else {
    expect(body.content).toBe(NOT_COVERED);
    expect(body.embeds).toEqual([]);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read freely, like the fake's Json
function buttons(body: Json): any[] {
  return (body.components ?? []).flatMap((row: Json) => row.components);
}

function errorText(code: keyof typeof ERROR_MESSAGES, detail?: string): string {
  return detail ? `${ERROR_MESSAGES[code]}\n${detail}` : ERROR_MESSAGES[code];
}

/** A deferred reply (callback type 5, "thinking…"), ephemeral or not. */
function expectDeferred(callback: Call, ephemeral: boolean): void {
  expect(callback.body.type).toBe(5);
  expect((callback.body.data?.flags ?? 0) & EPHEMERAL).toBe(ephemeral ? EPHEMERAL : 0);
}

/** An immediate ephemeral reply (callback type 4, flags 64) and its data. */
async function ephemeralReply(handle: { waitForCallback(): Promise<Call> }): Promise<Json> {
  const callback = await handle.waitForCallback();
  expect(callback.body.type).toBe(4);
  expect(callback.body.data.flags).toBe(EPHEMERAL);
  return callback.body.data;
}

const MANAGE_GUILD = (perms: string) => (BigInt(perms) | PermissionFlagsBits.ManageGuild).toString();

describe('/ask', () => {
  it('defers, then edits in an embed of block-quoted passages with bold query terms, numbered source lines, Source buttons and More', async () => {
    const answer = await ws.engine.ask(ZANGEZUR, { k: 3 });
    expect(answer.answered).toBe(true);
    expect(answer.more.length).toBeGreaterThan(0);

    const i = h.fake.slashCommand('ask', { question: ZANGEZUR });
    const callback = await i.waitForCallback();
    expectDeferred(callback, false);
    const edit = await i.waitForEdit();
    expect(edit.seq).toBeGreaterThan(callback.seq);

    const [embed, ...others] = edit.body.embeds;
    expect(others).toEqual([]);
    expect(embed.title).toBe(ZANGEZUR);
    expect(embed.description).toBe(expectedDescription(answer.passages, 1));
    expect(embed.footer.text).toBe(`Passages 1–3 of ${3 + answer.more.length} · quoted verbatim from the corpus`);
    expect(edit.body.content).toBeUndefined();

    // Sources and More in the first row, the votes in a row of their own.
    expect(edit.body.components.map((row: Json) => row.components.length)).toEqual([4, 2]);
    const [s1, s2, s3, more, up, down] = buttons(edit.body);
    expect([s1, s2, s3].map((b) => [b.label, b.custom_id])).toEqual(
      answer.passages.map((p, n) => [`Source ${n + 1}`, `source:show:${p.source.id}:${p.start}:${p.end}`]),
    );
    expect(more.label).toBe('More');
    expect(more.custom_id).toMatch(/^ask:more:[\w-]{8}:0$/);
    expect([up.label, down.label]).toEqual(['👍', '👎']);
    expect(up.custom_id).toMatch(/^ask:vote:[\w-]{8}:up$/);
    expect(down.custom_id).toBe(up.custom_id.replace(/up$/, 'down'));
  });

  it('says plainly that the corpus does not cover a question it cannot answer: no embed or sources, only the vote buttons', async () => {
    expect((await ws.engine.ask(WORLD_CUP)).answered).toBe(false);
    const i = h.fake.slashCommand('ask', { question: WORLD_CUP });
    const edit = await i.waitForEdit();
    expect(edit.body.content).toBe(NOT_COVERED);
    expect(edit.body.embeds).toEqual([]);
    const session = /^ask:vote:([\w-]{8}):up$/.exec(buttons(edit.body)[0]?.custom_id ?? '')?.[1];
    expect(edit.body.components).toEqual([
      {
        type: 1,
        components: [
          { type: 2, style: 2, label: '👍', custom_id: `ask:vote:${session}:up` },
          { type: 2, style: 2, label: '👎', custom_id: `ask:vote:${session}:down` },
        ],
      },
    ]);
  });

  it('a 👎 on a refused answer is acknowledged ephemerally and written once to feedback.jsonl, without the user', async () => {
    const path = join(ws.dataDir, 'feedback.jsonl');
    await rm(path, { force: true });
    const i = h.fake.slashCommand('ask', { question: WORLD_CUP });
    const edit = await i.waitForEdit();
    const downId: string = buttons(edit.body).find((b) => b.label === '👎')!.custom_id;
    const answerId = downId.split(':')[2];

    const first = await ephemeralReply(h.fake.button(downId, i.original(), { user: h.fake.otherUser }));
    expect(first.content).toBe('Thanks — noted.');
    const again = await ephemeralReply(h.fake.button(downId.replace(/down$/, 'up'), i.original(), { user: h.fake.otherUser }));
    expect(again.content).toBe('You already voted on this answer; your first vote stands.');

    const text = await readFile(path, 'utf8');
    const lines = text.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    const record = JSON.parse(lines[0]!);
    expect(record).toEqual({ ts: record.ts, answerId, vote: 'down', question: WORLD_CUP, answered: false, passages: [] });
    expect(Date.parse(record.ts)).not.toBeNaN();
    for (const who of [h.fake.otherUser.id, h.fake.otherUser.username, 'Editor']) expect(text).not.toContain(who);
    await rm(path, { force: true });
  });

  it('a 👍 on an answer writes its question, passage ids and scores', async () => {
    const path = join(ws.dataDir, 'feedback.jsonl');
    await rm(path, { force: true });
    const answer = await ws.engine.ask(ZANGEZUR, { k: 3 });
    const i = h.fake.slashCommand('ask', { question: ZANGEZUR });
    const upId: string = buttons((await i.waitForEdit()).body).find((b) => b.label === '👍')!.custom_id;
    expect((await ephemeralReply(h.fake.button(upId, i.original()))).content).toBe('Thanks — noted.');
    const record = JSON.parse(await readFile(path, 'utf8'));
    expect(record).toEqual({
      ts: record.ts,
      answerId: upId.split(':')[2],
      vote: 'up',
      question: ZANGEZUR,
      answered: true,
      passages: answer.passages.map((p) => ({ chunkId: p.chunkId, sourceId: p.source.id, score: p.score })),
    });
    await rm(path, { force: true });
  });

  it('a vote on an unknown answer answers EXPIRED ephemerally', async () => {
    const data = await ephemeralReply(h.fake.button('ask:vote:zzzzzzzz:up'));
    expect(data.content).toBe(errorText('EXPIRED'));
  });

  it('ephemeral:true defers with the ephemeral flag (64), so only the asker sees the answer', async () => {
    const i = h.fake.slashCommand('ask', { question: ZANGEZUR, ephemeral: true });
    expectDeferred(await i.waitForCallback(), true);
    expect((await i.waitForEdit()).body.embeds).toHaveLength(1);
    expect(i.original()?.flags).toBe(EPHEMERAL);
  });

  it('More shows the next passages, numbered on from the first page, ephemerally, with a More for the page after', async () => {
    const answer = await ws.engine.ask(ZANGEZUR, { k: 3 });
    const i = h.fake.slashCommand('ask', { question: ZANGEZUR });
    const edit = await i.waitForEdit();
    const moreId: string = buttons(edit.body).find((b) => b.label === 'More')!.custom_id;

    const click = h.fake.button(moreId, i.original(), { user: h.fake.otherUser });
    const data = await ephemeralReply(click);
    const next = answer.more.slice(0, 3);
    expect(data.embeds[0].description).toBe(expectedDescription(next, 4));
    expect(data.embeds[0].footer.text).toBe(`Passages 4–${3 + next.length} of ${3 + answer.more.length} · quoted verbatim from the corpus`);
    const labels = buttons(data).map((b) => b.label);
    expect(labels.slice(0, next.length)).toEqual(next.map((_, n) => `Source ${4 + n}`));
    if (answer.more.length > 3) expect(buttons(data).at(-1)!.custom_id).toBe(moreId.replace(/:0$/, ':3'));
    else expect(labels).not.toContain('More');
  });

  it('Source opens the whole document at the passage, in bold, ephemerally; Next turns the page for the same user only', async () => {
    const answer = await ws.engine.ask(ZANGEZUR, { k: 3 });
    const p = answer.passages[0]!;
    const doc = ws.engine.document(p.source.id)!;
    const i = h.fake.slashCommand('ask', { question: ZANGEZUR });
    const edit = await i.waitForEdit();

    const open = h.fake.button(buttons(edit.body)[0].custom_id, i.original());
    const data = await ephemeralReply(open);
    const embed = data.embeds[0];
    expect(embed.title).toBe(doc.title);
    expect(embed.description).toContain(`**${p.text}**`);
    const pageMatch = /page (\d+) of (\d+)$/.exec(embed.footer.text)!;
    expect(embed.footer.text).toMatch(new RegExp(`^${doc.outlet} · id ${doc.id} · page \\d+ of \\d+$`));
    const [page, pages] = [Number(pageMatch[1]), Number(pageMatch[2])];
    expect(pages).toBeGreaterThan(1);
    const [prev, next] = buttons(data);
    const user = h.fake.user.id;
    expect(prev.custom_id).toBe(`source:page:${doc.id}:${page - 2}:${user}:${p.start}:${p.end}`);
    expect(next.custom_id).toBe(`source:page:${doc.id}:${page}:${user}:${p.start}:${p.end}`);
    expect(prev.disabled).toBe(page === 1);
    expect(next.disabled).toBe(page === pages);

    // Page 1, turned by its owner: the message is updated in place (callback type 7).
    const first = `source:page:${doc.id}:0:${user}`;
    const turn = h.fake.button(first, open.original());
    const update = (await turn.waitForCallback()).body;
    expect(update.type).toBe(7);
    expect(update.data.embeds[0].footer.text).toBe(`${doc.outlet} · id ${doc.id} · page 1 of ${pages}`);
    expect(update.data.embeds[0].description.startsWith(doc.text.slice(0, 40))).toBe(true);

    const stranger = h.fake.button(first, open.original(), { user: h.fake.otherUser });
    expect((await ephemeralReply(stranger)).content).toBe(errorText('NOT_OWNER'));
  });

  it('rejects an empty and an over-long question with a clear ephemeral reply, before deferring', async () => {
    const empty = h.fake.slashCommand('ask', { question: '   ' });
    expect((await ephemeralReply(empty)).content).toBe(errorText('QUESTION_EMPTY'));

    const long = h.fake.slashCommand('ask', { question: 'why '.repeat(126).trim() });
    expect((await ephemeralReply(long)).content).toBe(errorText('QUESTION_TOO_LONG', 'It has 503 characters; the limit is 500.'));
    expect(h.fake.findCalls({ method: 'PATCH' })).toEqual([]);
  });

  it('answers a question with no letters or digits with QUESTION_NO_WORDS, ephemerally and before deferring, and a mention likewise', async () => {
    for (const question of ['😀😀😀', '???', '\u200b\u200b']) {
      const i = h.fake.slashCommand('ask', { question });
      expect((await ephemeralReply(i)).content).toBe(errorText('QUESTION_NO_WORDS'));
    }
    const mention = h.fake.message('??? 😀', { mentionsBot: true });
    expect((await h.fake.waitForReplyTo(mention.id)).body.content).toBe(errorText('QUESTION_NO_WORDS'));
    expect(h.fake.findCalls({ method: 'PATCH' })).toEqual([]);
    expect(parsedLogs(h).filter((l) => l.code === 'INTERNAL')).toEqual([]);
  });

  it('escapes markdown and mention syntax in corpus text, links the source url, and never pings for "@everyone" in a passage', async () => {
    const question = 'When is the Caspian pipeline audit report due?';
    const answer = await ws.engine.ask(question, { k: 3 });
    expect(answer.answered).toBe(true);
    const notice = answer.passages.findIndex((p) => p.source.outlet === 'Test Wire');
    expect(notice).toBeGreaterThanOrEqual(0);

    const edit = await h.fake.slashCommand('ask', { question }).waitForEdit();
    const blocks: string[] = edit.body.embeds[0].description.split('\n\n');
    const [quote, source] = blocks[notice]!.split('\n');
    expect(quote).toContain('Attention @everyone: the \\*');
    expect(quote).toContain('\\_report');
    expect(quote).toContain('\\<@123456789012345678>');
    expect(quote).toMatch(/\*\*Caspian pipeline\*\*/);
    expect(source).toBe(
      `**${notice + 1}.** Pipeline audit notice · Test Wire · 2025-03-01 · [example.com](https://example.com/notices/pipeline-audit) · \`${answer.passages[notice]!.source.id}\``,
    );
    expect(edit.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
  });

  it('logs one JSON line per interaction with the command, user, latency and whether it was answered', async () => {
    await h.fake.slashCommand('ask', { question: ZANGEZUR }).waitForEdit();
    await h.fake.slashCommand('ask', { question: WORLD_CUP }).waitForEdit();
    await h.fake.slashCommand('ask', { question: ' ' }).waitForCallback();
    // The line is written once the reply is sent: wait for it, not for a time.
    await vi.waitFor(() => expect(parsedLogs(h).filter((l) => l.event === 'interaction')).toHaveLength(3));
    const lines = parsedLogs(h).filter((l) => l.event === 'interaction');
    expect(lines.map((l) => [l.command, l.user, l.answered, l.ok, l.code])).toEqual([
      ['ask', h.fake.user.id, true, true, undefined],
      ['ask', h.fake.user.id, false, true, undefined],
      ['ask', h.fake.user.id, undefined, false, 'QUESTION_EMPTY'],
    ]);
    for (const l of lines) expect(typeof l.ms).toBe('number');
  });
});

describe('/headlines', () => {
  it('lists Reuters headlines between two dates, newest first, with title, outlet, date and id', async () => {
    const filter = { outlet: 'Reuters', from: '2025-03-01', to: '2025-03-11' };
    const expected = await ws.engine.headlines(filter);
    expect(expected.length).toBeGreaterThan(0);
    expect(expected.length).toBeLessThanOrEqual(10);

    const i = h.fake.slashCommand('headlines', filter, { subcommand: 'list' });
    expectDeferred(await i.waitForCallback(), false);
    const embed = (await i.waitForEdit()).body.embeds[0];
    expect(embed.title).toBe('Headlines · Reuters · 2025-03-01 to 2025-03-11');
    expect(embed.description).toBe(
      expected.map((d, n) => `**${n + 1}.** ${escapeText(d.title)} — Reuters · ${d.date} · \`${d.id}\``).join('\n'),
    );
    expect(embed.footer.text).toBe(`${expected.length} headline${expected.length === 1 ? '' : 's'}, newest first · page 1 of 1`);
    const dates = expected.map((d) => d.date!);
    expect([...dates].sort().reverse()).toEqual(dates);
  });

  it('pages with Next for the user who ran it (update in place), and refuses others with NOT_OWNER', async () => {
    const all = await ws.engine.headlines({});
    expect(all.length).toBeGreaterThan(20);
    const i = h.fake.slashCommand('headlines', { limit: 25 }, { subcommand: 'list' });
    const edit = await i.waitForEdit();
    expect(edit.body.embeds[0].footer.text).toBe('25 headlines, newest first · page 1 of 3');
    const [prev, next] = buttons(edit.body);
    expect(prev.disabled).toBe(true);
    expect(next.disabled).toBe(false);

    const stranger = h.fake.button(next.custom_id, i.original(), { user: h.fake.otherUser });
    expect((await ephemeralReply(stranger)).content).toBe(errorText('NOT_OWNER'));

    const turn = h.fake.button(next.custom_id, i.original());
    const update = (await turn.waitForCallback()).body;
    expect(update.type).toBe(7);
    const lines: string[] = update.data.embeds[0].description.split('\n');
    expect(lines).toHaveLength(10);
    expect(lines[0]).toBe(`**11.** ${escapeText(all[10]!.title)} — ${all[10]!.outlet} · ${all[10]!.date} · \`${all[10]!.id}\``);
    expect(update.data.embeds[0].footer.text).toBe('25 headlines, newest first · page 2 of 3');
    expect(buttons(update.data).map((b) => b.disabled)).toEqual([false, false]);
  });

  it('autocompletes outlets from the index (type 8 choices), prefix matches first', async () => {
    const reu = await h.fake.autocomplete('headlines', { outlet: 'reu' }, { subcommand: 'list' }).waitForCallback();
    expect(reu.body).toEqual({ type: 8, data: { choices: [{ name: 'Reuters', value: 'Reuters' }] } });

    const times = await h.fake.autocomplete('headlines', { outlet: 'times' }, { subcommand: 'list' }).waitForCallback();
    const expected = ws.engine.outlets().filter((o) => o.toLowerCase().includes('times'));
    const names = times.body.data.choices.map((c: Json) => c.name);
    expect([...names].sort()).toEqual([...expected].sort());

    const news = await h.fake.autocomplete('headlines', { outlet: 'news' }, { subcommand: 'list' }).waitForCallback();
    const newsNames: string[] = news.body.data.choices.map((c: Json) => c.name);
    expect(newsNames[0]).toBe('Newsweek');
    expect([...newsNames].sort()).toEqual(ws.engine.outlets().filter((o) => o.toLowerCase().includes('news')).sort());
  });

  it('rejects a malformed date with BAD_DATE and a start after the end with BAD_RANGE, ephemerally', async () => {
    const bad = h.fake.slashCommand('headlines', { from: '2025-13-01' }, { subcommand: 'list' });
    expect((await ephemeralReply(bad)).content).toBe(errorText('BAD_DATE', 'from: "2025-13-01" is not a date.'));
    const words = h.fake.slashCommand('headlines', { to: 'yesterday' }, { subcommand: 'list' });
    expect((await ephemeralReply(words)).content).toBe(errorText('BAD_DATE', 'to: "yesterday" is not a date.'));
    const range = h.fake.slashCommand('headlines', { from: '2025-03-11', to: '2025-02-11' }, { subcommand: 'list' });
    expect((await ephemeralReply(range)).content).toBe(errorText('BAD_RANGE', 'from 2025-03-11 is after to 2025-02-11.'));
  });
});

describe('/source and /about', () => {
  it('/source shows a whole document by id; a short one has no page buttons', async () => {
    const headline = (await ws.engine.headlines({ outlet: 'Reuters' }))[0]!;
    const data = (await h.fake.slashCommand('source', { id: headline.id }).waitForCallback()).body;
    expect(data.type).toBe(4);
    expect(data.data.flags).toBeUndefined();
    expect(data.data.embeds[0]).toMatchObject({
      title: headline.title,
      footer: { text: `Reuters · ${headline.date} · id ${headline.id}` },
    });
    expect(data.data.components).toEqual([]);
  });

  it('/source with an unknown id answers UNKNOWN_DOCUMENT ephemerally', async () => {
    const data = await ephemeralReply(h.fake.slashCommand('source', { id: 'nope123' }));
    expect(data.content).toBe(errorText('UNKNOWN_DOCUMENT', 'No document has the id "nope123".'));
  });

  it('/about shows documents, headlines, date range, outlets, embedder, build time and servers (no shard when not sharded)', async () => {
    const info = ws.engine.about();
    const embed = (await h.fake.slashCommand('about').waitForCallback()).body.data.embeds[0];
    const fields = Object.fromEntries(embed.fields.map((f: Json) => [f.name, f.value]));
    const built = Math.ceil(Date.parse(info.builtAt) / 1000);
    expect(fields).toEqual({
      Documents: String(info.documents),
      Articles: String(info.articles),
      Headlines: String(info.headlines),
      Dates: `${info.firstDate} to ${info.lastDate}`,
      [`Outlets (${info.outlets.length})`]: info.outlets.join(', '),
      Embedder: `\`${info.embedder}\``,
      'Index built': `<t:${built}:f> (<t:${built}:R>)`,
      Servers: '1',
    });
  });
});

describe('messages', () => {
  it('answers an @mention with a reply to that message, same format as /ask, then starts a thread on the answer', async () => {
    const answer = await ws.engine.ask(ZANGEZUR, { k: 3 });
    const question = h.fake.message(ZANGEZUR, { mentionsBot: true });
    const reply = await h.fake.waitForReplyTo(question.id);
    expect(reply.body.message_reference).toMatchObject({ message_id: question.id, fail_if_not_exists: false });
    expect(reply.body.embeds[0].description).toBe(expectedDescription(answer.passages, 1));
    expect(reply.body.allowed_mentions).toEqual({ parse: [], replied_user: false });

    const thread = await h.fake.waitForCall({ method: 'POST', route: `/channels/${h.fake.channelId}/messages/${reply.response.id}/threads` });
    expect(thread.body).toMatchObject({ name: ZANGEZUR, auto_archive_duration: 1440 });
  });

  it('answers a follow-up posted in a thread the bot started, without a mention, reading the thread\'s question', async () => {
    const threadId = h.fake.createThread({ name: ZANGEZUR }).id as string;
    const question = 'And what does Iran want from Azerbaijan?';
    const answer = await ws.engine.ask(question, { k: 3, history: [ZANGEZUR] });
    const followUp = h.fake.message(question, { threadId });
    const reply = await h.fake.waitForReplyTo(followUp.id);
    expect(reply.route).toBe(`/channels/${threadId}/messages`);
    expectAnswerBody(reply.body, answer);
    // No new thread inside a thread.
    expect(h.fake.findCalls({ route: /\/threads$/ })).toEqual([]);
  });

  it('ignores messages in a thread someone else started, unless they mention the bot', async () => {
    const threadId = h.fake.createThread({ ownerId: h.fake.user.id }).id as string;
    h.fake.message('What is the Zangezur corridor?', { threadId });
    const mention = h.fake.message(WORLD_CUP, { threadId, mentionsBot: true });
    const reply = await h.fake.waitForReplyTo(mention.id);
    expect(reply.body.content).toBe(NOT_COVERED);
    expect(h.fake.findCalls({ method: 'POST', route: `/channels/${threadId}/messages` })).toHaveLength(1);
  });

  it('answers a direct message', async () => {
    const dm = h.fake.message(ZANGEZUR, { dm: true });
    const reply = await h.fake.waitForReplyTo(dm.id);
    expect(reply.route).toBe(`/channels/${h.fake.dmChannel().id}/messages`);
    expect(reply.body.embeds[0].title).toBe(ZANGEZUR);
  });

  it('in ANSWER_CHANNEL_IDS answers what reads as a question without a mention, and ignores other chatter; elsewhere needs a mention', async () => {
    const chatter = h.fake.message('good morning everyone', { channelId: h.answerChannelId });
    const elsewhere = h.fake.message(ZANGEZUR, { channelId: h.fake.channelId });
    const question = h.fake.message('what did Iran say about the Zangezur corridor', { channelId: h.answerChannelId });
    const reply = await h.fake.waitForReplyTo(question.id);
    expect(reply.body.embeds[0].title).toBe('what did Iran say about the Zangezur corridor');
    // Nothing was sent for the other two messages (they were dispatched before the question).
    const replies = sentMessages(h.fake).map(({ body }) => body.message_reference?.message_id);
    expect(replies).not.toContain(chatter.id);
    expect(replies).not.toContain(elsewhere.id);
    // No thread either: that is for mentions.
    expect(h.fake.findCalls({ route: /\/threads$/ })).toEqual([]);
  });

  it('ignores bots, including itself', async () => {
    const bot = h.fake.addUser({ bot: true, username: 'otherbot' });
    h.fake.message(`${h.fake.botMention} ${ZANGEZUR}`, { author: bot });
    const human = h.fake.message(WORLD_CUP, { dm: true });
    await h.fake.waitForReplyTo(human.id);
    expect(sentMessages(h.fake)).toHaveLength(1);
  });

  it('answers a mention with nothing else in it with the empty-question message, and does not ping "@everyone" from user text', async () => {
    const empty = h.fake.message('', { mentionsBot: true });
    expect((await h.fake.waitForReplyTo(empty.id)).body.content).toBe(errorText('QUESTION_EMPTY'));

    const loud = h.fake.message('@everyone what is the Zangezur corridor?', { mentionsBot: true });
    const reply = await h.fake.waitForReplyTo(loud.id);
    expectAnswerBody(reply.body, await ws.engine.ask('@everyone what is the Zangezur corridor?', { k: 3 }));
    expect(reply.body.allowed_mentions).toEqual({ parse: [], replied_user: false });
  });
});

describe('/reindex', () => {
  it('refuses members without Manage Server with FORBIDDEN, and is registered with default_member_permissions ManageGuild', async () => {
    const command = h.fake.commands.guild.get(h.fake.guildId)!.find((c) => c.name === 'reindex')!;
    expect(command.default_member_permissions).toBe(PermissionFlagsBits.ManageGuild.toString());
    const before = ws.engine.about().builtAt;
    const data = await ephemeralReply(h.fake.slashCommand('reindex'));
    expect(data.content).toBe(errorText('FORBIDDEN'));
    expect(ws.engine.about().builtAt).toBe(before);
  });

  it('rebuilds for a member with Manage Server, edits progress into the ephemeral reply, then the summary', async () => {
    const before = ws.engine.about().builtAt;
    const i = h.fake.slashCommand('reindex', undefined, { permissions: MANAGE_GUILD(h.fake.permissions.everyone) });
    expectDeferred(await i.waitForCallback(), true);
    const summary = await h.fake.waitForCall((c) => c.method === 'PATCH' && c.path === i.originalPath && /^Re-indexed/.test(c.body?.content ?? ''), 30_000);
    expect(summary.body.content).toMatch(
      /^Re-indexed in \d+\.\d s: 82 documents, \d+ passages \(\d+ embedded, \d+ from the cache\) with `use:[^`]+`\. Answers now come from the new index\.$/,
    );
    const edits = h.fake.findCalls({ method: 'PATCH', path: i.originalPath });
    expect(edits[0]!.body.content).toBe('Re-indexing: read 2 corpus files.');
    expect(edits.at(-1)).toBe(summary);
    expect(ws.engine.about().builtAt).not.toBe(before);
  });

  it('answers REINDEX_BUSY while a re-index runs, and keeps answering questions meanwhile', async () => {
    const running = ws.engine.reindex();
    try {
      const i = h.fake.slashCommand('reindex', undefined, { permissions: MANAGE_GUILD(h.fake.permissions.everyone) });
      expect((await i.waitForEdit()).body.content).toBe(errorText('REINDEX_BUSY'));
      const ask = h.fake.slashCommand('ask', { question: ZANGEZUR });
      expect((await ask.waitForEdit()).body.embeds).toHaveLength(1);
    } finally {
      await running;
    }
  });
});

describe('lifecycle', () => {
  it('stop() lets a reply in flight finish before disconnecting', async () => {
    const i = h.fake.slashCommand('ask', { question: ZANGEZUR });
    await i.waitForCallback();
    await h.bot.stop();
    expect(h.fake.findCalls({ method: 'PATCH', path: i.originalPath })).toHaveLength(1);
    expect(h.bot.client.isReady()).toBe(false);
    const stopped = parsedLogs(h).find((l) => l.event === 'stopped')!;
    expect(stopped.abandoned).toBe(0);
    expect(stopped.drained).toBeGreaterThanOrEqual(1);
  });

  it('picks up an index written by another process (a second build in the data directory)', async () => {
    const before = ws.engine.about().builtAt;
    // Another engine on the same directories stands in for `npm run reindex` in another process.
    const { openEngine } = await import('../../src/index/engine.js');
    const { join } = await import('node:path');
    const other = await openEngine({
      corpusDir: ws.corpusDir,
      dataDir: ws.dataDir,
      embedder: { kind: 'use', model: 'unused', modelsDir: join(ws.root, 'models'), allowRemote: false, quantized: true, log: () => {} },
      chunking: { targetChars: 400, overlapChars: 0 },
      log: () => {},
    });
    // The bot's engine is not told; only the watcher on data/index can notice.
    const built = await other.reindex();
    await other.close();
    expect(built.documents).toBe(82);
    const deadline = Date.now() + 20_000;
    while (ws.engine.about().builtAt === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(ws.engine.about().builtAt).not.toBe(before);
    expect(parsedLogs(h).some((l) => l.event === 'reload' && l.ok === true)).toBe(true);
    // SIGHUP's reload finds nothing newer now.
    expect(await h.bot.reload()).toBe(false);
  });
});

/** A second bot with its own options (limits, a clock, a broken engine), checked like the main one. */
async function withHarness(options: Parameters<typeof startHarness>[1], run: (h2: Harness) => Promise<void>): Promise<void> {
  const h2 = await startHarness(ws, options);
  try {
    await run(h2);
  } finally {
    await h2.close();
    expectNoPings(h2.fake);
  }
}

describe('limits and failures', () => {
  it('a user in cooldown is told when to try again (a Discord timestamp), and can ask once it has passed', async () => {
    let clock = Date.UTC(2025, 2, 11, 12, 0, 0);
    await withHarness({ env: { USER_COOLDOWN_SECONDS: '30' }, now: () => clock }, async ({ fake }) => {
      await fake.slashCommand('ask', { question: ZANGEZUR }).waitForEdit();
      clock += 10_000;
      const limited = await ephemeralReply(fake.slashCommand('ask', { question: ZANGEZUR }));
      const again = Math.ceil((Date.UTC(2025, 2, 11, 12, 0, 0) + 30_000) / 1000);
      expect(limited.content).toBe(errorText('RATE_LIMITED', `You can ask again <t:${again}:R>.`));
      // Another user is not held up by it.
      await fake.slashCommand('ask', { question: ZANGEZUR }, { user: fake.otherUser }).waitForEdit();
      clock += 20_000;
      expect((await fake.slashCommand('ask', { question: ZANGEZUR }).waitForEdit()).body.embeds).toHaveLength(1);
    });
  });

  it('a channel over its per-minute limit refuses further answers; a mention there is told once, then ignored', async () => {
    let clock = Date.UTC(2025, 2, 11, 12, 0, 0);
    await withHarness({ env: { CHANNEL_RATE_LIMIT: '2' }, now: () => clock }, async ({ fake }) => {
      await fake.slashCommand('ask', { question: ZANGEZUR }).waitForEdit();
      await fake.slashCommand('ask', { question: WORLD_CUP }, { user: fake.otherUser }).waitForEdit();
      const third = await ephemeralReply(fake.slashCommand('ask', { question: ZANGEZUR }, { user: fake.addUser() }));
      const again = Math.ceil((Date.UTC(2025, 2, 11, 12, 0, 0) + 60_000) / 1000);
      expect(third.content).toBe(errorText('RATE_LIMITED', `This channel can get answers again <t:${again}:R>.`));
      // An ephemeral answer does not add to the channel: it is still allowed.
      const hidden = fake.slashCommand('ask', { question: ZANGEZUR, ephemeral: true }, { user: fake.addUser() });
      expect((await hidden.waitForEdit()).body.embeds).toHaveLength(1);

      const first = fake.message(ZANGEZUR, { mentionsBot: true, author: fake.addUser() });
      expect((await fake.waitForReplyTo(first.id)).body.content).toBe(
        errorText('RATE_LIMITED', `This channel can get answers again <t:${again}:R>.`),
      );
      const second = fake.message(ZANGEZUR, { mentionsBot: true, author: fake.addUser() });
      const dm = fake.message(WORLD_CUP, { dm: true });
      await fake.waitForReplyTo(dm.id);
      expect(sentMessages(fake).filter(({ body }) => body.message_reference?.message_id === second.id)).toEqual([]);

      clock += 60_000;
      const later = fake.message(ZANGEZUR, { mentionsBot: true, author: fake.addUser() });
      expect((await fake.waitForReplyTo(later.id)).body.embeds).toHaveLength(1);
    });
  });

  it('an unexpected engine failure still answers the interaction: the deferred reply becomes the INTERNAL message, logged with the error', async () => {
    const broken = { ...ws.engine, ask: () => Promise.reject(new Error('disk on fire')) };
    await withHarness({ engine: broken }, async (h2) => {
      const i = h2.fake.slashCommand('ask', { question: ZANGEZUR });
      expectDeferred(await i.waitForCallback(), false);
      const edit = await i.waitForEdit();
      expect(edit.body).toMatchObject({ content: errorText('INTERNAL'), embeds: [], components: [] });
      await vi.waitFor(() => expect(parsedLogs(h2).some((l) => l.event === 'interaction')).toBe(true));
      expect(parsedLogs(h2).find((l) => l.event === 'interaction')).toMatchObject({
        command: 'ask',
        ok: false,
        code: 'INTERNAL',
        error: 'Error disk on fire',
      });

      const mention = h2.fake.message(ZANGEZUR, { mentionsBot: true });
      expect((await h2.fake.waitForReplyTo(mention.id)).body.content).toBe(errorText('INTERNAL'));
    });
  });

  it('buttons whose session is gone (restart, expiry) answer EXPIRED ephemerally', async () => {
    const more = await ephemeralReply(h.fake.button('ask:more:AAAAAAAA:0'));
    expect(more.content).toBe(errorText('EXPIRED'));
    const page = await ephemeralReply(h.fake.button('headlines:page:AAAAAAAA:1'));
    expect(page.content).toBe(errorText('EXPIRED'));
  });

  it('/ask works as a slash command in a DM with the bot', async () => {
    const i = h.fake.slashCommand('ask', { question: ZANGEZUR }, { dm: true });
    expect((await i.waitForEdit()).body.embeds[0].title).toBe(ZANGEZUR);
  });

  it('a Message Content intent not enabled in the portal (close 4014) fails start-up with CONFIG_INVALID saying how to enable it', async () => {
    const { startFakeDiscord, Intent } = await import('../support/fake-discord.js');
    const { startBot } = await import('../../src/bot/bot.js');
    const fake = await startFakeDiscord({ disallowedIntents: Intent.MessageContent });
    try {
      const config = { ...h.config, discord: { ...h.config.discord, token: fake.token, apiUrl: fake.apiUrl } };
      const failure = startBot({ config, engine: ws.engine, log: () => {}, watchIndex: false, readyTimeoutMs: 20_000 });
      await expect(failure).rejects.toMatchObject({
        code: 'CONFIG_INVALID',
        message: expect.stringContaining('turn on "Message Content Intent" under Privileged Gateway Intents'),
      });
    } finally {
      await fake.close();
    }
  });

  it('a token Discord rejects fails start-up with CONFIG_INVALID naming DISCORD_TOKEN, and logs nothing secret', async () => {
    const { startFakeDiscord } = await import('../support/fake-discord.js');
    const { startBot } = await import('../../src/bot/bot.js');
    const fake = await startFakeDiscord();
    try {
      fake.failNext({ method: 'GET', route: '/gateway/bot' }, { status: 401, message: '401: Unauthorized' });
      const logs: string[] = [];
      const config = { ...h.config, discord: { ...h.config.discord, token: fake.token, apiUrl: fake.apiUrl } };
      const failure = startBot({ config, engine: ws.engine, log: (l) => logs.push(l), watchIndex: false });
      await expect(failure).rejects.toMatchObject({ code: 'CONFIG_INVALID', message: expect.stringContaining('DISCORD_TOKEN: Discord rejected this token') });
      for (const line of logs) expect(line).not.toContain(fake.token);
    } finally {
      await fake.close();
    }
  });
});

describe('npm start', () => {
  it('with DISCORD_TOKEN runs the bot (JSON logs on stderr, no token in them) and exits 0 on SIGTERM after answering', async () => {
    const { spawn } = await import('node:child_process');
    const { join, resolve } = await import('node:path');
    const { startFakeDiscord } = await import('../support/fake-discord.js');
    const { commandData } = await import('../../src/bot/commands/index.js');
    const fake = await startFakeDiscord();
    fake.commands.guild.set(fake.guildId, commandData().map((c) => ({ ...c, id: fake.snowflake(), guild_id: fake.guildId })));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/start.ts'], {
      cwd: resolve(import.meta.dirname, '../..'),
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DISCORD_TOKEN: fake.token,
        DISCORD_API_URL: fake.apiUrl,
        CORPUS_DIR: ws.corpusDir,
        DATA_DIR: ws.dataDir,
        MODELS_DIR: join(ws.root, 'models'),
        EMBEDDER: 'use',
        ALLOW_REMOTE_MODELS: 'false',
        CHUNK_TARGET_CHARS: '400',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    let stdout = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d) => (stdout += d));
    const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
    try {
      await vi.waitFor(() => expect(stderr).toContain('"event":"ready"'), { timeout: 30_000, interval: 50 });
      const i = fake.slashCommand('ask', { question: ZANGEZUR });
      expect((await i.waitForEdit(10_000)).body.embeds[0].title).toBe(ZANGEZUR);
      await vi.waitFor(() => expect(stderr).toContain('"event":"interaction"'), { timeout: 5000, interval: 20 });
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
      const lines = stderr.trim().split('\n').filter((l) => l.startsWith('{'));
      const events = lines.map((l) => JSON.parse(l).event);
      expect(events).toEqual(expect.arrayContaining(['ready', 'interaction', 'shutdown', 'stopped']));
      expect(stderr).not.toContain(fake.token);
      expect(stdout).toBe('');
      expectNoPings(fake);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await fake.close();
    }
  });
});
