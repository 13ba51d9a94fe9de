import { describe, expect, it } from 'vitest';
import { weightedSearch } from '../support/lexical-reference.js';
import { classify, denseText, namesFrom, refersBack, resolveFollowUp, termWeights, type FollowUpOptions } from '../../src/index/followup.js';
import { buildCaseMap, isStopword } from '../../src/index/terms.js';

/** A corpus about another part of the world: nothing here is specific to the seed. */
const caseMap = buildCaseMap([
  'Canada raised tariffs on steel. Ottawa said the tariffs protect mills. Mexico and Canada met in Ottawa.',
  'The Globe reported that steel mills in Hamilton cut jobs; revenue fell. Mark Carney spoke.',
]);
const options: FollowUpOptions = { outlets: ['The Globe', 'Daily News'], isName: namesFrom(caseMap, isStopword) };
const read = (question: string, history: string[]) => resolveFollowUp(question, history, options);

describe('resolveFollowUp', () => {
  it('reads a question with no history as it is', () => {
    expect(read('Did Canada raise tariffs on steel?', [])).toEqual({ leans: false, reason: 'no-history', context: [] });
  });

  it('keeps the earlier question at half weight when the new one points back with a pronoun', () => {
    expect(read('Why did they cut jobs?', ['Did Canada raise tariffs on steel?'])).toEqual({
      leans: true,
      reason: 'refers-back',
      context: [{ text: 'Did Canada raise tariffs on steel?', weight: 0.5 }],
    });
  });

  it('takes the earlier question at full weight when the new one has no words of its own', () => {
    expect(read('Why did they do it?', ['Did Canada raise tariffs on steel?']).context).toEqual([{ text: 'Did Canada raise tariffs on steel?', weight: 1 }]);
  });

  it('starts clean on a new topic with words and names of its own', () => {
    expect(read('Which ports did Ottawa close in the winter storms?', ['Did Canada raise tariffs on steel?'])).toEqual({ leans: false, reason: 'new-topic', context: [] });
    expect(read('Who is Mark Carney?', ['Did Canada raise tariffs on steel?'])).toMatchObject({ leans: false, reason: 'new-topic' });
  });

  it('treats a short question with no new name as leaning, even without a pronoun', () => {
    expect(read('How much revenue was lost?', ['Did Canada raise tariffs on steel?'])).toMatchObject({ leans: true, reason: 'short-and-nameless' });
    // Canada is named, but the earlier question named it already.
    expect(read('Why did Canada act?', ['Did Canada raise tariffs on steel?'])).toMatchObject({ leans: true, reason: 'short-and-nameless' });
  });

  it('reads a possessive after a name of the question as that name\'s, not the history\'s', () => {
    expect(read('What did Mexico say about its steel exports?', ['Did Canada raise tariffs on steel?'])).toMatchObject({ leans: false, reason: 'new-topic' });
    expect(read('What were its effects on the mills?', ['Did Canada raise tariffs on steel?'])).toMatchObject({ leans: true, reason: 'refers-back' });
  });

  it('carries the topic through a chain, and a bare outlet replaces the earlier outlet', () => {
    const history = ['Did Canada raise tariffs on steel?', 'What did Daily News report?'];
    expect(classify('What did Daily News report?', { parts: [{ text: 'Did Canada raise tariffs on steel?', weight: 1 }] }, options)).toBe('no-words-of-its-own');
    // The question names its own outlet, so none is inherited; the topic comes back at full weight.
    expect(read('And The Globe?', history)).toEqual({
      leans: true,
      reason: 'continues',
      context: [{ text: 'Did Canada raise tariffs on steel?', weight: 1 }],
    });
  });

  it('inherits the outlet and date filters a follow-up does not replace', () => {
    expect(read('Who else was hit by them?', ['What did Daily News report on March 3 about steel tariffs?'])).toEqual({
      leans: true,
      reason: 'refers-back',
      context: [{ text: 'What did report about steel tariffs?', weight: 0.5 }],
      outlet: 'Daily News',
      date: { month: 3, day: 3 },
    });
  });

  it('fades older turns of a chain and reads only the last four questions', () => {
    const history = ['Did Canada raise tariffs on steel?', 'Why did Ottawa do it?'];
    expect(read('What did the mills say about it?', history).context).toEqual([
      { text: 'Did Canada raise tariffs on steel?', weight: 0.25 },
      { text: 'Why did Ottawa do it?', weight: 0.5 },
    ]);
    const long = ['Did Canada raise tariffs on steel?', 'Who is Mark Carney?', 'What did he say?', 'And then?', 'Why?'];
    expect(read('What about it?', long).context.map((p) => p.text)).not.toContain('Did Canada raise tariffs on steel?');
  });
});

describe('the rules underneath', () => {
  it('finds pointers back: pronouns anywhere, "that" and "there" only at the end', () => {
    const isName = options.isName;
    expect(['Who said that?', 'What happened there?', 'Did he resign?', 'Is it over?'].map((q) => refersBack(q, isName))).toEqual([true, true, true, true]);
    expect(['Is there a tariff on steel?', 'Did Ottawa say that mills closed?'].map((q) => refersBack(q, isName))).toEqual([false, false]);
  });

  it('counts as names the words the corpus capitalizes, and numbers, but no stopword', () => {
    const isName = options.isName;
    expect(['canada', 'Ottawa', '2020', 'steel', 'What', 'Quebec', 'quebec'].map(isName)).toEqual([true, true, true, false, false, true, false]);
  });

  it('adds each earlier piece\'s BM25 scores at its weight to the question\'s own', () => {
    const scores: Record<string, Array<{ label: number; score: number }>> = {
      own: [{ label: 1, score: 2 }],
      earlier: [{ label: 2, score: 3 }, { label: 1, score: 1 }],
    };
    const search = (text: string, k: number) => (scores[text] ?? []).slice(0, k);
    const own = (text: string) => (k: number) => search(text, k);
    expect(weightedSearch(own('own'), search, [{ text: 'earlier', weight: 0.5 }], 5)).toEqual([{ label: 1, score: 2.5 }, { label: 2, score: 1.5 }]);
    expect(weightedSearch(own('earlier'), search, [], 1)).toEqual([{ label: 2, score: 3 }]);
  });

  it('embeds the earlier text before the question, and weighs the question\'s own words fully', () => {
    const context = [{ text: 'Did Canada raise tariffs?', weight: 0.5 }];
    expect(denseText('Why?', context)).toBe('Did Canada raise tariffs? Why?');
    expect(Object.fromEntries(termWeights(['tariff', 'mill'], context))).toEqual({ canada: 0.5, rais: 0.5, tariff: 1, mill: 1 });
  });
});
