import { describe, expect, it } from 'vitest';
import { cutAtSentence, discordTime, escapeText, hostOf, joinWithin, safeUrl, truncateAtSentence, truncateWords } from '../../src/bot/text.js';

const TEXT = 'The council met on Monday. It voted to close the bridge. Repairs start in May.';

describe('truncateAtSentence', () => {
  it('returns text that fits unchanged', () => {
    expect(truncateAtSentence(TEXT, 200)).toBe(TEXT);
    expect(truncateAtSentence(TEXT, TEXT.length)).toBe(TEXT);
  });

  it('keeps the whole sentences that fit and marks the cut with " …"', () => {
    expect(truncateAtSentence(TEXT, 77)).toBe('The council met on Monday. It voted to close the bridge. …');
    expect(truncateAtSentence(TEXT, 58)).toBe('The council met on Monday. It voted to close the bridge. …');
    expect(truncateAtSentence(TEXT, 57)).toBe('The council met on Monday. …');
    expect(truncateAtSentence(TEXT, 28)).toBe('The council met on Monday. …');
  });

  it('never cuts after an abbreviation such as "Mr."', () => {
    expect(truncateAtSentence('Mr. Smith went to Washington. He left.', 33)).toBe('Mr. Smith went to Washington. …');
  });

  it('falls back to whole words and "…" when not even the first sentence fits', () => {
    expect(truncateAtSentence(TEXT, 27)).toBe('The council met on Monday.…');
    expect(truncateAtSentence(TEXT, 20)).toBe('The council met on…');
    expect(truncateAtSentence(TEXT, 10)).toBe('The…');
  });

  it('cuts inside a word only when there is no space, and handles tiny limits', () => {
    expect(truncateAtSentence('Supercalifragilisticexpialidocious', 10)).toBe('Supercali…');
    expect(truncateAtSentence(TEXT, 1)).toBe('…');
    expect(truncateAtSentence(TEXT, 0)).toBe('');
  });

  it('never splits a surrogate pair', () => {
    const out = truncateAtSentence('🙂🙂🙂🙂🙂🙂', 6);
    expect(out).toBe('🙂🙂…');
    expect(out.length).toBeLessThanOrEqual(6);
  });

  it('always stays within the limit', () => {
    for (let max = 0; max <= TEXT.length + 2; max++) expect(truncateAtSentence(TEXT, max).length).toBeLessThanOrEqual(max);
  });

  it('cutAtSentence reports the kept length and the mark separately', () => {
    expect(cutAtSentence(TEXT, 57)).toEqual({ end: 26, mark: ' …' });
    expect(cutAtSentence(TEXT, 100)).toEqual({ end: TEXT.length, mark: '' });
  });
});

describe('truncateWords', () => {
  it('cuts a label at a word boundary with "…"', () => {
    expect(truncateWords('The quick brown fox jumps', 12)).toBe('The quick…');
    expect(truncateWords('Short', 12)).toBe('Short');
  });
});

describe('escapeText', () => {
  it('escapes markdown, masked links and mention/timestamp syntax, and leaves plain text alone', () => {
    expect(escapeText('a *b* _c_ `d` ~~e~~ ||f||')).toBe('a \\*b\\* \\_c\\_ \\`d\\` \\~\\~e\\~\\~ \\|\\|f\\|\\|');
    expect(escapeText('<@123> <@&4> <#456> <t:1:R> </ask:9> <:e:12>')).toBe('\\<@123> \\<@&4> \\<#456> \\<t:1:R> \\</ask:9> \\<:e:12>');
    expect(escapeText('[x](http://y)')).toBe('\\[x](http://y)');
    expect(escapeText('# Heading\n- item\n1. one')).toBe('\\# Heading\n\\- item\n1\\. one');
    expect(escapeText('Iran and Azerbaijan, 2020-2023: 5 < 6')).toBe('Iran and Azerbaijan, 2020-2023: 5 < 6');
  });
});

describe('joinWithin', () => {
  it('joins all items that fit, or as many as fit and "and N more"', () => {
    expect(joinWithin(['Alpha', 'Beta'], ', ', 20)).toBe('Alpha, Beta');
    expect(joinWithin(['Alpha', 'Beta', 'Gamma', 'Delta'], ', ', 20)).toBe('Alpha, and 3 more');
    expect(joinWithin(['Alpha', 'Beta', 'Gamma', 'Delta'], ', ', 24)).toBe('Alpha, Beta, and 2 more');
  });
});

describe('links and times', () => {
  it('safeUrl keeps http(s) only and percent-encodes characters that would break a masked link', () => {
    expect(safeUrl('https://example.com/a (b)')).toBe('https://example.com/a%20%28b%29');
    expect(safeUrl('javascript:alert(1)')).toBeNull();
    expect(safeUrl('not a url')).toBeNull();
    expect(safeUrl(null)).toBeNull();
    expect(hostOf('https://www.reuters.com/world/x')).toBe('reuters.com');
  });

  it('discordTime rounds up to whole seconds', () => {
    expect(discordTime(1_741_694_400_001)).toBe('<t:1741694401:R>');
    expect(discordTime(1_741_694_400_000, 'f')).toBe('<t:1741694400:f>');
  });
});
