/** /timeline, /headlines stats and coverage answers, end to end: real bot, real engine, fake Discord. */
import { PNG } from 'pngjs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CHART_FILE } from '../../src/chart/headline-chart.js';
import { CHART_HEIGHT, CHART_WIDTH } from '../../src/chart/png.js';
import { ERROR_MESSAGES } from '../../src/errors.js';
import type { Json } from '../support/fake-discord.js';
import { expectNoPings, openWorkspace, startHarness, type Harness, type Workspace } from './harness.js';

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

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON read freely
function buttons(body: Json): any[] {
  return (body.components ?? []).flatMap((row: Json) => row.components);
}

describe('/timeline', () => {
  it('quotes the matching passages grouped by day, oldest first, each with its source line, and says which story a follower follows', async () => {
    const expected = await ws.engine.timeline({ topic: 'Russia mediation' });
    const i = h.fake.slashCommand('timeline', { topic: 'Russia mediation' });
    expect((await i.waitForCallback()).body.type).toBe(5);
    const embed = (await i.waitForEdit()).body.embeds[0];
    expect(embed.title).toBe('Timeline · “Russia mediation”');
    const ids = expected.days.flatMap((d) => d.passages).map((p) => p.source.id);
    const follows = '-# (same story as “Putin Spokesman Confirms Russian Offer to Mediate Between U.S. and Iran Over…”)';
    expect(embed.description).toBe(
      [
        '__**2025-03-07**__',
        `> **Russia** seeks to serve as **mediator** between US and Iran\n**1.** Reuters · 2025-03-07 · \`${ids[0]}\``,
        `> Putin Spokesman Confirms **Russian** Offer to **Mediate** Between U.S. and Iran Over Iranian Nuclear Program\n**2.** Foundation for Defense of Democracies · 2025-03-07 · \`${ids[1]}\``,
        `> **Russia** 'agreed' to broker talks between Iran and the US: Report\n**3.** Middle East Eye · 2025-03-07 · \`${ids[2]}\`\n${follows}`,
        `> Putin Agrees to Help Trump Broker Nuclear Talks With Iran\n**4.** Bloomberg · 2025-03-07 · \`${ids[3]}\`\n${follows.slice(0, -1)}; Putin for Russia)`,
        `> **Russia** agrees to help Trump communicate with Iran on nuclear issue, Bloomberg reports\n**5.** Reuters · 2025-03-07 · \`${ids[4]}\`\n${follows}`,
        `> **Russia** and US to discuss Iran nuclear issue, **Moscow** says\n**6.** Iran International · 2025-03-07 · \`${ids[5]}\`\n${follows}`,
      ].join('\n\n'),
    );
    expect(embed.footer.text).toBe('7 passages, oldest first · page 1 of 2 · quoted verbatim from the corpus');
  });

  it('pages a long timeline with Next, for its owner only', async () => {
    const all = await ws.engine.timeline({ topic: 'Trump' });
    expect(all.total).toBeGreaterThan(12);
    const i = h.fake.slashCommand('timeline', { topic: 'Trump' });
    const edit = (await i.waitForEdit()).body;
    const pages = Math.ceil(all.total / 6);
    expect(edit.embeds[0].footer.text).toBe(`${all.total} passages, oldest first · page 1 of ${pages} · quoted verbatim from the corpus`);
    const [, next] = buttons(edit);
    const stranger = h.fake.button(next.custom_id, i.original(), { user: h.fake.otherUser });
    expect((await stranger.waitForCallback()).body.data.content).toBe(ERROR_MESSAGES.NOT_OWNER);
    const update = (await h.fake.button(next.custom_id, i.original()).waitForCallback()).body;
    expect(update.type).toBe(7);
    expect(update.data.embeds[0].footer.text).toBe(`${all.total} passages, oldest first · page 2 of ${pages} · quoted verbatim from the corpus`);
    const seventh = all.days.flatMap((d) => d.passages)[6]!;
    const description: string = update.data.embeds[0].description;
    expect(description).toMatch(/^__\*\*\d{4}-\d{2}-\d{2}\*\*__\n\n> /);
    expect(description.slice(description.indexOf('**7.** '))).toContain(`\`${seventh.source.id}\``);
  });

  it('says so when nothing matches, and rejects a bad range with BAD_RANGE', async () => {
    const none = (await h.fake.slashCommand('timeline', { topic: 'World Cup football' }).waitForEdit()).body.embeds[0];
    expect(none.description).toBe('No passage in the corpus holds these words.');
    const bad = await h.fake.slashCommand('timeline', { topic: 'sanctions', from: '2025-03-11', to: '2025-02-11' }).waitForCallback();
    expect(bad.body.data.content).toBe(`${ERROR_MESSAGES.BAD_RANGE}\nfrom 2025-03-11 is after to 2025-02-11.`);
  });
});

describe('/headlines stats', () => {
  it('replies with the PNG chart and the counts as text', async () => {
    const i = h.fake.slashCommand('headlines', { query: 'sanctions' }, { subcommand: 'stats' });
    expect((await i.waitForCallback()).body.type).toBe(5);
    const edit = await i.waitForEdit();
    expect(edit.body.content).toBe(
      '**Headlines per day · “sanctions”**: 3 headlines on 2 days.\n2025-03-07: 2 (Bloomberg 1, Newsweek 1)\n2025-03-11: 1 (Al Jazeera English 1)',
    );
    expect(edit.files.map((f) => f.filename)).toEqual([CHART_FILE]);
    const png = PNG.sync.read(edit.files[0]!.data);
    expect([png.width, png.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
  });

  it('keeps the list reachable as /headlines list', async () => {
    const i = h.fake.slashCommand('headlines', { outlet: 'Reuters', limit: 3 }, { subcommand: 'list' });
    const embed = (await i.waitForEdit()).body.embeds[0];
    expect(embed.title).toBe('Headlines · Reuters');
    expect(embed.description.split('\n')).toHaveLength(3);
  });
});

describe('coverage answers', () => {
  it('add the count and the outlets with dates to the answer embed', async () => {
    const i = h.fake.slashCommand('ask', { question: 'How many headlines mention sanctions?' });
    const embed = (await i.waitForEdit()).body.embeds[0];
    expect(embed.fields).toEqual([
      { name: 'Coverage', value: '3 headlines match “sanctions”, from 3 outlets.' },
      { name: 'Outlets', value: '- Al Jazeera English (1): 2025-03-11\n- Bloomberg (1): 2025-03-07\n- Newsweek (1): 2025-03-07' },
    ]);
  });
});
