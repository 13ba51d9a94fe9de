/**
 * Discord's limits on every text field, with a corpus whose every field is oversized: the real
 * renderers, the real discord.js client, and the fake Discord, which rejects an over-limit payload
 * (400, 50035) the way Discord does. Every reply must go through, within the limits.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { openEngine } from '../../src/index/engine.js';
import type { Engine } from '../../src/index/types.js';
import type { Call, Json } from '../support/fake-discord.js';
import { useEmbedderOptions } from '../support/seed.js';
import { startHarness, type Harness, type Workspace } from './harness.js';

const words = (word: string, n: number) => Array.from({ length: n }, (_, i) => `${word}${i % 10}`).join(' ');
const TITLE = `Pipeline audit \u202e${words('title', 400)}`;
const OUTLET = `Wire ${words('outlet', 420)}`;
const LONG_SENTENCE = `The pipeline audit report is due ${words('because', 900)}.`;
const BODY = [`The pipeline audit report is due on March 14, says the notice.`, LONG_SENTENCE, `${LONG_SENTENCE} ${LONG_SENTENCE}`].join('\n');
const HUGE = `---\ntitle: "${TITLE}"\noutlet: "${OUTLET}"\ndate: 2025-03-01\nurl: https://example.com/${'a'.repeat(3000)}\n---\n${BODY}\n`;
const CLIPPING = `${TITLE} – ${OUTLET}\n${BODY}\nSee the article here:\n- ${TITLE} - ${OUTLET} - March 7th, 2025 [March 7th, 2025]\n`;
/** A right-to-left override and zero-width characters: they must not reach Discord in echoed text. */
const QUESTION = 'When is the pipeline\u202e audit\u200b report due?';

let ws: Workspace;
let h: Harness;

beforeAll(async () => {
  const root = await mkdtemp(join(tmpdir(), 'newsdesk-limits-'));
  const corpusDir = join(root, 'corpus');
  await mkdir(corpusDir);
  await writeFile(join(corpusDir, 'huge.md'), HUGE);
  await writeFile(join(corpusDir, 'clip.txt'), CLIPPING);
  const dataDir = join(root, 'data');
  const engine: Engine = await openEngine({
    corpusDir,
    dataDir,
    embedder: useEmbedderOptions(join(root, 'models')),
    chunking: DEFAULT_CHUNKING,
    log: () => {},
    buildIfMissing: true,
  });
  ws = { root, corpusDir, dataDir, engine, cleanup: async () => (await engine.close(), await rm(root, { recursive: true, force: true })) };
  h = await startHarness(ws);
});

afterAll(async () => {
  await h?.close();
  await ws?.cleanup();
});

const INVISIBLE = /[\u200b-\u200f\u202a-\u202e\u2066-\u2069]/;

/** Accepted by the fake (which checks every limit), and every field within its limit here too. */
function expectWithinLimits(call: Call): Json {
  expect(call.status, JSON.stringify(call.response ?? null)).toBeLessThan(300);
  const data = call.route.endsWith('/callback') ? call.body.data : call.body;
  expect(data.embeds).toHaveLength(1);
  const embed = data.embeds[0];
  expect(embed.title.length).toBeLessThanOrEqual(256);
  expect(embed.description.length).toBeLessThanOrEqual(4096);
  expect(embed.footer?.text.length ?? 0).toBeLessThanOrEqual(2048);
  expect(embed.title).not.toMatch(INVISIBLE);
  return embed;
}

function buttons(body: Json): Json[] {
  return (body.components ?? []).flatMap((row: Json) => row.components);
}

describe('a corpus whose every field is oversized', () => {
  it('/ask answers within the limits, with the question in the title stripped of bidi and zero-width characters', async () => {
    const i = h.fake.slashCommand('ask', { question: QUESTION });
    const embed = expectWithinLimits(await i.waitForEdit());
    expect(embed.title).toBe('When is the pipeline audit report due?');
  });

  it('the Source button and /source show the documents within the limits, the 3,000-character outlet cut in the footer', async () => {
    const i = h.fake.slashCommand('ask', { question: QUESTION });
    const edit = await i.waitForEdit();
    for (const button of buttons(edit.body).filter((b) => String(b.custom_id).startsWith('source:show:'))) {
      const embed = expectWithinLimits(await h.fake.button(button.custom_id, i.original()).waitForCallback());
      expect(embed.footer.text).toMatch(/^Wire title0|^Wire outlet0/);
    }
    const answer = await ws.engine.ask(QUESTION);
    const ids = new Set([...answer.passages, ...answer.more].map((p) => p.source.id));
    expect(ids.size).toBe(3);
    for (const id of ids) {
      const embed = expectWithinLimits(await h.fake.slashCommand('source', { id }).waitForCallback());
      expect(embed.footer.text.length).toBeLessThan(200);
    }
  });

  it('/headlines and /about stay within the limits', async () => {
    const headlines = h.fake.slashCommand('headlines', {}, { subcommand: 'list' });
    expectWithinLimits(await headlines.waitForEdit());
    const about = expectWithinLimits(await h.fake.slashCommand('about').waitForCallback());
    for (const field of about.fields) expect(field.value.length).toBeLessThanOrEqual(1024);
  });

  it('a mention is answered within the limits and its thread is named without invisible characters', async () => {
    const message = h.fake.message(QUESTION, { mentionsBot: true });
    const reply = await h.fake.waitForReplyTo(message.id);
    expectWithinLimits(reply);
    const thread = await h.fake.waitForCall({ method: 'POST', route: `/channels/${h.fake.channelId}/messages/${reply.response.id}/threads` });
    expect(thread.body.name).toBe('When is the pipeline audit report due?');
  });
});
