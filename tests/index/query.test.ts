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
