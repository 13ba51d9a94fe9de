/**
 * /timeline follows a story on a drop-in corpus about another region: the rule reads names and
 * closeness from the data, not from the seed.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { openEngine } from '../../src/index/engine.js';
import type { Engine } from '../../src/index/types.js';
import { useEmbedderOptions } from '../support/seed.js';

const HEADLINES: Array<[string, string, string]> = [
  ['2022-06-01', 'Arctic Today', 'Canada offers to mediate between Denmark and Greenland over fishing rights'],
  ['2022-06-02', 'Polar Wire', 'Canada agrees to broker talks between Denmark and Greenland over fishing rights'],
  ['2022-06-02', 'Nord News', 'Denmark and Greenland agree to talks over fishing rights'],
  ['2022-06-03', 'Polar Wire', 'Canada and Norway hold joint naval exercises in the Arctic'],
  ['2022-06-04', 'Trade Desk', 'Canada raises tariffs on steel imports from China'],
  ['2022-06-05', 'Arctic Today', 'Ottawa agrees to broker talks on Arctic fishing'],
  ['2022-06-06', 'Farm Wire', 'Brazil expects a record soybean harvest after steady rains'],
  // Other regions' news, so that "Canada" is a name of a few passages rather than of the whole corpus.
  ...[
    'Kenya opens a new railway line to the Ugandan border',
    'Japan reports a rise in exports of cars to Europe',
    'Chile votes on a new constitution',
    'India launches a weather satellite',
    'Egypt expands the Suez Canal shipping lanes',
    'Peru rescues miners trapped after a landslide',
    'Vietnam plans a high-speed railway',
    'Morocco hosts a conference on solar power',
    'Nigeria cuts fuel subsidies',
    'Australia faces a heatwave and bushfires',
    'Spain approves a four-day week pilot',
    'Poland buys tanks from South Korea',
    'Mexico nationalizes lithium deposits',
  ].map((title, i): [string, string, string] => [`2022-05-${String(10 + i)}`, 'World Wire', title]),
];

let root: string;
let engine: Engine;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'newsdesk-story-'));
  await mkdir(join(root, 'corpus'));
  for (const [i, [date, outlet, title]] of HEADLINES.entries()) {
    await writeFile(join(root, 'corpus', `${i}.md`), `---\ntitle: ${title}\noutlet: ${outlet}\ndate: ${date}\n---\n${title}.\n`);
  }
  engine = await openEngine({ corpusDir: join(root, 'corpus'), dataDir: join(root, 'data'), embedder: useEmbedderOptions(join(root, 'models')), chunking: DEFAULT_CHUNKING, log: () => {}, buildIfMissing: true });
});
afterAll(async () => {
  await engine.close();
  await rm(root, { recursive: true, force: true });
});

describe('a timeline following a story on a drop-in corpus about Canada', () => {
  it("shows the report that says 'broker' after the one that says 'mediate', naming it; leaves out other Canada news, a look-alike without the topic's words (cosine 0.88) and a paraphrase less close (0.72)", async () => {
    const t = await engine.timeline({ topic: 'How did the Canada mediation story develop?' });
    expect(t.days.map((d) => [d.date, d.passages.map((p) => [p.text, p.follows ?? null])])).toEqual([
      ['2022-06-01', [['Canada offers to mediate between Denmark and Greenland over fishing rights.', null]]],
      ['2022-06-02', [['Canada agrees to broker talks between Denmark and Greenland over fishing rights.', { text: 'Canada offers to mediate between Denmark and Greenland over fishing rights.' }]]],
    ]);
  });

  it('leaves counts literal: a coverage question counts only the passages that hold the topic', async () => {
    const answer = await engine.ask('Which outlets covered Canada mediation?');
    expect(answer.coverage?.outlets.map((o) => [o.outlet, o.count])).toEqual([['Arctic Today', 1]]);
  });
});
