import { describe, expect, it } from 'vitest';
import { describeDatePattern, monthNumber, parseDocumentDate } from '../../src/index/dates.js';
import { parseDate } from '../../src/index/query.js';

describe('parseDocumentDate', () => {
  it('reads ISO dates (with or without a time), long dates either way round, and YYYY/MM/DD', () => {
    const forms = ['2025-03-18', '2025-3-18', '2025-03-18T23:59:59+05:00', '2025-03-18 10:00', 'March 18, 2025', 'march 18th 2025', 'Mar. 18, 2025', '18 March 2025', '18th of March, 2025', '2025/03/18'];
    expect(forms.map(parseDocumentDate)).toEqual(forms.map(() => '2025-03-18'));
  });

  it('gives null for impossible days, ambiguous numeric orders and text that is not a date', () => {
    expect(['February 30, 2025', '2025-13-01', '03/04/2025', 'soon', '7 March', ''].map(parseDocumentDate)).toEqual([null, null, null, null, null, null]);
  });
});

describe('one month list for the corpus and questions', () => {
  it('reads names and abbreviations, and the question parser uses the same list', () => {
    expect(['Jan', 'sept', 'Sept.', 'december', 'ma', 'foo'].map(monthNumber)).toEqual([1, 9, 9, 12, 0, 0]);
    expect(parseDate('news from Sept 3')?.date).toEqual({ month: 9, day: 3 });
  });

  it('describes a date pattern for a notice', () => {
    expect([{ month: 3, day: 7 }, { year: 2025, month: 2 }, { year: 2024 }, { year: 2025, month: 3, day: 7 }].map(describeDatePattern)).toEqual([
      'on March 7',
      'in February 2025',
      'in 2024',
      'on March 7, 2025',
    ]);
  });
});
