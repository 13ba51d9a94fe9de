import { describe, expect, it } from 'vitest';
import { cleanDocumentId, outletChoices, parseDateRange, parseIsoDate } from '../../src/bot/options.js';
import { isNewsdeskError } from '../../src/errors.js';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isNewsdeskError(error) ? `${error.code}: ${error.detail}` : String(error);
  }
  return undefined;
}

describe('parseIsoDate and parseDateRange', () => {
  it('accepts real YYYY-MM-DD dates and treats empty as not given', () => {
    expect(parseIsoDate('2024-02-29', 'from')).toBe('2024-02-29');
    expect(parseIsoDate(' 2025-03-07 ', 'from')).toBe('2025-03-07');
    expect(parseIsoDate('', 'from')).toBeUndefined();
    expect(parseIsoDate(null, 'from')).toBeUndefined();
  });

  it('rejects other formats and impossible dates with BAD_DATE naming the option', () => {
    expect(codeOf(() => parseIsoDate('2025-02-29', 'to'))).toBe('BAD_DATE: to: "2025-02-29" is not a date.');
    expect(codeOf(() => parseIsoDate('07/03/2025', 'from'))).toBe('BAD_DATE: from: "07/03/2025" is not a date.');
    expect(codeOf(() => parseIsoDate('2025-3-7', 'from'))).toBe('BAD_DATE: from: "2025-3-7" is not a date.');
  });

  it('rejects a start after the end with BAD_RANGE; equal dates are fine', () => {
    expect(parseDateRange('2025-03-01', '2025-03-01')).toEqual({ from: '2025-03-01', to: '2025-03-01' });
    expect(parseDateRange(null, '2025-03-01')).toEqual({ to: '2025-03-01' });
    expect(codeOf(() => parseDateRange('2025-03-02', '2025-03-01'))).toBe('BAD_RANGE: from 2025-03-02 is after to 2025-03-01.');
  });
});

describe('outletChoices', () => {
  it('shows outlet names without bidi or zero-width characters, keeping the value as the corpus spells it', () => {
    expect(outletChoices(['Daily\u202e Post\u200b'], 'da')).toEqual([{ name: 'Daily Post', value: 'Daily\u202e Post\u200b' }]);
  });

  const outlets = ['ABC News', 'Fox News', 'Newsweek', 'Reuters', 'The Times'];

  it('lists prefix matches first, then other matches, case-insensitively', () => {
    expect(outletChoices(outlets, 'news').map((c) => c.value)).toEqual(['Newsweek', 'ABC News', 'Fox News']);
    expect(outletChoices(outlets, 'REU')).toEqual([{ name: 'Reuters', value: 'Reuters' }]);
  });

  it('offers at most 25', () => {
    const many = Array.from({ length: 40 }, (_, i) => `Outlet ${i}`);
    expect(outletChoices(many, '')).toHaveLength(25);
  });
});

describe('cleanDocumentId', () => {
  it('accepts an id pasted with backticks or the "id" prefix', () => {
    expect(cleanDocumentId(' `a95e3e82` ')).toBe('a95e3e82');
    expect(cleanDocumentId('id a95e3e82')).toBe('a95e3e82');
  });
});
