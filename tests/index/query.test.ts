import { describe, expect, it } from 'vitest';
import { dateRange, findOutlet, matchesDate, parseDate, parseQuery, storeFilter } from '../../src/index/query.js';

const OUTLETS = ['Reuters', 'The Times', 'The Times of Israel', 'The New York Times', 'Iran International', 'Bloomberg'];

describe('parseDate', () => {
  it('reads a month and day, with or without a year, and removes the phrase', () => {
    expect(parseDate('What happened on March 7?')).toEqual({ date: { month: 3, day: 7 }, rest: 'What happened ?' });
    expect(parseDate('news from March 11th, 2025 about Iran')).toEqual({ date: { month: 3, day: 11, year: 2025 }, rest: 'news about Iran' });
    expect(parseDate('on 7 March what did Iran say')).toEqual({ date: { month: 3, day: 7 }, rest: 'what did Iran say' });
  });

  it('reads a month, a month and year, an ISO date and a bare year at the end', () => {
    expect(parseDate('What did Iran say in February?')?.date).toEqual({ month: 2 });
    expect(parseDate('Iran news in Feb 2025')?.date).toEqual({ month: 2, year: 2025 });
    expect(parseDate('headlines on 2025-03-07')?.date).toEqual({ year: 2025, month: 3, day: 7 });
    expect(parseDate('What did Iran do in 2024?')?.date).toEqual({ year: 2024 });
  });

  it('does not read a year that names something, or "may" as a verb', () => {
    expect(parseDate('What did Azerbaijan gain in the 2020 war?')).toBeNull();
    expect(parseDate('Russia may prove to be a spoiler')).toBeNull();
    expect(parseDate('What happened in May?')?.date).toEqual({ month: 5 });
  });
});

describe('matchesDate', () => {
  it('matches the fields the pattern names and never an undated document', () => {
    expect(matchesDate('2025-03-07', { month: 3, day: 7 })).toBe(true);
    expect(matchesDate('2025-03-11', { month: 3, day: 7 })).toBe(false);
    expect(matchesDate('2025-02-11', { month: 2 })).toBe(true);
    expect(matchesDate(null, { month: 2 })).toBe(false);
  });
});

describe('findOutlet', () => {
  it('finds the longest outlet named, case-insensitively, and removes it', () => {
    expect(findOutlet('What did the times of israel say about Trump?', OUTLETS)).toEqual({ outlet: 'The Times of Israel', rest: 'What did say about Trump?' });
    expect(findOutlet("What was Reuters' take?", OUTLETS)?.outlet).toBe('Reuters');
    expect(findOutlet("Reuters's report on Iran", OUTLETS)?.outlet).toBe('Reuters');
    expect(findOutlet('What did the New York Times report?', OUTLETS)?.outlet).toBe('The New York Times');
  });

  it('does not take a common word for an outlet', () => {
    expect(findOutlet('How many times did Iran refuse talks?', OUTLETS)).toBeNull();
    expect(findOutlet('Is Iran seeking international support?', OUTLETS)).toBeNull();
  });
});

describe('findOutlet, reading only the outlets a text can name', () => {
  // The reading before the ASCII look-ahead: every outlet's pattern run on every text.
  const everyPattern = (text: string, outlets: string[]) => {
    let best: { outlet: string; at: number; length: number } | null = null;
    for (const outlet of outlets) {
      const bare = outlet.replace(/^the\s+/i, '');
      for (const form of bare !== outlet && /\s/.test(bare) ? [outlet, bare] : [outlet]) {
        const escaped = form.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
        const match = new RegExp(String.raw`(?<![\p{L}\p{N}])(?:the\s+)?${escaped}(?:['’]s)?(?![\p{L}\p{N}])`, 'iu').exec(text);
        if (match && (!best || match[0].length > best.length)) best = { outlet, at: match.index, length: match[0].length };
      }
    }
    return best?.outlet ?? null;
  };
  // Non-ASCII outlets, and letters whose case folds into ASCII: the long s and the Kelvin sign.
  const outlets = [...OUTLETS, 'Zürcher Zeitung', 'Le Monde', 'The Skopje Post', 'Kyiv Independent', 'Tass'];
  const texts = [
    'What did the times of israel say?', "THE NEW YORK TIMES'S view", 'what did zürcher zeitung report', 'ZÜRCHER ZEITUNG on trade',
    'Le Monde’s take on talks', 'What did Reuterſ say?', 'What did the Skopje Poſt say?', 'what did \u212Ayiv Independent report?',
    'news from tass', 'Tassel makers', 'Reuters and the Times of Israel', 'nothing here', 'Rueters', '',
  ];

  it('finds in every text what running every pattern finds, ASCII or not', () => {
    for (const text of texts) expect(findOutlet(text, outlets)?.outlet ?? null, text).toBe(everyPattern(text, outlets));
    // The look-ahead is not a loss: these are found through case folding only.
    expect(findOutlet('What did Reuterſ say?', outlets)?.outlet).toBe('Reuters');
    expect(findOutlet('what did \u212Ayiv Independent report?', outlets)?.outlet).toBe('Kyiv Independent');
  });

  it('reads a list again the same way, and a new list of other outlets as that list', () => {
    expect(findOutlet('news from tass', outlets)?.outlet).toBe('Tass');
    expect(findOutlet('news from tass', outlets)?.outlet).toBe('Tass');
    expect(findOutlet('news from tass', OUTLETS)).toBeNull();
  });
});

describe('parseQuery', () => {
  it('splits out outlet, date and recency, leaving the text to search', () => {
    expect(parseQuery('What did Reuters report about Russia on March 7?', OUTLETS)).toEqual({ text: 'What did report about Russia ?', outlet: 'Reuters', date: { month: 3, day: 7 }, recent: false });
    expect(parseQuery("What's the latest on Iran’s nuclear talks?", OUTLETS)).toEqual({ text: "What's on Iran’s nuclear talks?", recent: true });
  });
});

describe('dateRange and storeFilter', () => {
  it('turns a date with a year into an inclusive day range, to the month\'s real last day', () => {
    expect(dateRange({ year: 2024 })).toEqual({ from: '2024-01-01', to: '2024-12-31' });
    expect(dateRange({ year: 2024, month: 2 })).toEqual({ from: '2024-02-01', to: '2024-02-29' });
    expect(dateRange({ year: 2025, month: 2 })).toEqual({ from: '2025-02-01', to: '2025-02-28' });
    expect(dateRange({ year: 2025, month: 3, day: 7 })).toEqual({ from: '2025-03-07', to: '2025-03-07' });
  });

  it('leaves a date without a year to the filter after fusion: it names a day of every year', () => {
    expect(dateRange({ month: 3, day: 7 })).toBeNull();
    expect(dateRange({ month: 3 })).toBeNull();
    expect(storeFilter({ date: { month: 3, day: 7 } })).toBeUndefined();
    expect(storeFilter({ outlet: 'Reuters', date: { month: 3 } })).toEqual({ outlet: 'Reuters' });
  });

  it('gives the outlet and the range a question names, or nothing', () => {
    expect(storeFilter(parseQuery('What did Reuters report on March 7, 2025?', OUTLETS))).toEqual({ outlet: 'Reuters', from: '2025-03-07', to: '2025-03-07' });
    expect(storeFilter(parseQuery('Iran news in Feb 2025', OUTLETS))).toEqual({ from: '2025-02-01', to: '2025-02-28' });
    expect(storeFilter(parseQuery('Why did Iran close the strait?', OUTLETS))).toBeUndefined();
  });
});
