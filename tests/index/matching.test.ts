/** Timeline and coverage questions on the real engine (USE + hnswlib) over the seed corpus. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { topicShare } from '../../src/index/matching.js';
import type { Answer, Document, Engine } from '../../src/index/types.js';
import { seedEngine, seedWorkspace, type SeedWorkspace } from '../support/seed.js';

let ws: SeedWorkspace;
let engine: Engine;
beforeAll(async () => {
  ws = await seedWorkspace();
  engine = await seedEngine(ws);
});
afterAll(async () => {
  await engine.close();
  await ws.cleanup();
});

const outlets = (answer: Answer) => answer.coverage!.outlets.map((o) => [o.outlet, o.count, o.dates]);

describe('engine.timeline', () => {
  it('tells the Russia mediation story in date order: the offer on March 7 and the reports that follow it, then March 11', async () => {
    const t = await engine.timeline({ topic: 'How did the Russia mediation story develop?' });
    expect(t.topic).toBe('Russia mediation');
    const offer = 'Putin Spokesman Confirms Russian Offer to Mediate Between U.S. and Iran Over Iranian Nuclear Program';
    expect(t.days.map((d) => [d.date, d.passages.map((p) => [p.text, p.source.outlet, p.follows ?? null])])).toEqual([
      [
        '2025-03-07',
        [
          ['Russia seeks to serve as mediator between US and Iran', 'Reuters', null],
          [offer, 'Foundation for Defense of Democracies', null],
          ["Russia 'agreed' to broker talks between Iran and the US: Report", 'Middle East Eye', { text: offer }],
          ['Putin Agrees to Help Trump Broker Nuclear Talks With Iran', 'Bloomberg', { text: offer, standIns: ['Putin for Russia'] }],
          ['Russia agrees to help Trump communicate with Iran on nuclear issue, Bloomberg reports', 'Reuters', { text: offer }],
          ['Russia and US to discuss Iran nuclear issue, Moscow says', 'Iran International', { text: offer }],
        ],
      ],
      ['2025-03-11', [['Russia may prove to be a spoiler in US-Iran nuclear mediation', null, null]]],
    ]);
    expect(t.total).toBe(7);
  });

  it('follows a story only through the names of its topic: a topic of common words, or of a name on every page, follows nothing', async () => {
    // Without the name rule "nuclear deal" took in 11 more documents; "Iran" is in nearly every headline.
    for (const topic of ['nuclear deal', 'maximum pressure', "Iran's oil"]) {
      const t = await engine.timeline({ topic });
      expect(t.days.flatMap((d) => d.passages).filter((p) => p.follows)).toEqual([]);
    }
  });

  it('keeps to the from/to range and leaves undated passages out of a range', async () => {
    const t = await engine.timeline({ topic: 'Russia mediation', from: '2025-03-08', to: '2025-03-31' });
    expect(t.days.map((d) => d.date)).toEqual(['2025-03-11']);
  });

  it("counts a topic's expansions for the word they stand for, never as further words a passage must hold", async () => {
    // "Iran" expands to "Tehran", "Persian"…: counted as words of the topic, they kept every oil headline out.
    const t = await engine.timeline({ topic: "Iran's oil" });
    expect(t.days.map((d) => [d.date, d.passages.map((p) => p.source.outlet)])).toEqual([
      ['2025-02-11', ['Newsweek']],
      ['2025-02-25', ['Al-Monitor']],
      ['2025-03-11', ['Reuters', 'CNBC']],
    ]);
  });

  it('is empty for a topic the corpus does not cover', async () => {
    expect(await engine.timeline({ topic: 'World Cup football results' })).toEqual({ topic: 'World Cup football results', days: [], total: 0 });
  });
});

describe('topicShare', () => {
  const headline = { id: 'h', kind: 'headline', title: 'Moscow says', outlet: null, date: null, url: null, text: 'Moscow says', file: 'f', line: 1 } as Document;
  const moscow = { term: 'moscow', from: 'Russia', fromTerm: 'russia', via: 'Moscow', source: 'place-related' as const, weight: 0.3 };

  it("credits an expansion at its weight for the word it stands for, and an expansion's absence costs nothing", () => {
    expect(topicShare(['moscow'], headline, ['russia', 'mediat'], () => 1, [moscow])).toBeCloseTo(0.15);
    expect(topicShare(['russia', 'mediat'], headline, ['russia', 'mediat'], () => 1, [moscow])).toBe(1);
  });
});

describe('coverage questions', () => {
  it('counts the headlines that mention sanctions, with outlets and dates', async () => {
    const answer = await engine.ask('How many headlines mention sanctions?', { k: 2 });
    expect(answer.coverage).toMatchObject({ kind: 'count', topic: 'sanctions', only: 'headline', documents: 3 });
    expect(outlets(answer)).toEqual([
      ['Al Jazeera English', 1, ['2025-03-11']],
      ['Bloomberg', 1, ['2025-03-07']],
      ['Newsweek', 1, ['2025-03-07']],
    ]);
    expect(answer.passages.map((p) => p.source.date)).toEqual(['2025-03-07', '2025-03-07']);
    expect(answer.more.map((p) => p.text)).toEqual(['US ends sanctions waiver for Iraq to buy electricity from Iran']);
  });

  it('says who reported on the naval drills, and when', async () => {
    const answer = await engine.ask('Who reported on the naval drills, and when?');
    expect(answer.coverage?.kind).toBe('who-when');
    expect(outlets(answer)).toEqual([
      ['The Jerusalem Post', 1, ['2025-03-11']],
      ['The Times of Israel', 1, ['2025-03-11']],
    ]);
  });

  it('leaves an ordinary question an ordinary answer, with no coverage', async () => {
    const answer = await engine.ask('How many B-52 bombers did the Pentagon deploy?');
    expect(answer.coverage).toBeUndefined();
    expect(answer.answered).toBe(true);
  });

  it('is not answered, with a zero count, when no headline mentions the topic', async () => {
    const answer = await engine.ask('How many headlines mention cricket?');
    expect(answer.answered).toBe(false);
    expect(answer.coverage).toMatchObject({ documents: 0, outlets: [] });
  });
});
