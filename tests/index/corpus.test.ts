import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { dedupeIds, formatProblem, isCorpusFile, parseBytes, parseFile, parseHeadline } from '../../src/index/corpus.js';
import { SEED_FILE } from '../support/seed.js';

const seed = await readFile(SEED_FILE, 'utf8');
const parsed = parseFile('seed.txt', seed);
const headlines = parsed.documents.filter((d) => d.kind === 'headline');
const byTitle = (start: string) => headlines.find((h) => h.title.startsWith(start));

describe('parseFile on the seed clipping', () => {
  it('finds one article and all 80 headlines with no problems', () => {
    expect(parsed.problems).toEqual([]);
    expect(parsed.documents.filter((d) => d.kind === 'article')).toHaveLength(1);
    expect(headlines).toHaveLength(80);
  });

  it('reads the article title and outlet from the first line, split on the en dash', () => {
    const article = parsed.documents[0]!;
    expect(article).toMatchObject({ kind: 'article', title: 'Are Iran and Azerbaijan coming to the brink of war?', outlet: 'Middle East Eye', date: null, url: null, line: 1 });
    expect(article.text.startsWith('The Second Nagorno-Karabakh War in 2020')).toBe(true);
    expect(article.text.endsWith('do not necessarily reflect the editorial policy of Middle East Eye.')).toBe(true);
  });

  it('gives every headline a title, an ISO date and its line number', () => {
    expect(headlines.every((h) => h.title && /^\d{4}-\d{2}-\d{2}$/.test(h.date!))).toBe(true);
    expect(headlines[0]).toMatchObject({ title: 'Iran Signals Openness to Limited Nuclear Talks With U.S.', outlet: 'The New York Times', date: '2025-03-11', line: 30, text: 'Iran Signals Openness to Limited Nuclear Talks With U.S.' });
    expect(headlines.at(-1)).toMatchObject({ title: 'US vows to keep up Iran pressure if no will shown for deal', outlet: 'Iran International', date: '2025-02-11', line: 109 });
  });

  it('leaves the outlet null when the field is empty and the title does not carry one', () => {
    expect(byTitle('Sweden warns')).toMatchObject({ title: 'Sweden warns of increasing security threats from Iran', outlet: null, date: '2025-03-11' });
    expect(byTitle('Bluffs, uncertainty')?.outlet).toBeNull();
  });

  it('recovers the outlet from a "| Outlet" title when the field is empty', () => {
    expect(byTitle('Veils and freedom')).toMatchObject({ title: "Veils and freedom: An Iranian perspective on Women's Day", outlet: 'Iran International', date: '2025-03-11' });
  });

  it('keeps " - " and "|" inside titles', () => {
    expect(byTitle('46 Years')).toMatchObject({ title: "46 Years of tyranny: How Iran's Islamic Revolution betrayed its promises - opinion", outlet: 'The Jerusalem Post' });
    expect(byTitle('Opinion | Iran Is Weak')).toMatchObject({ title: 'Opinion | Iran Is Weak. Will Trump Be Strong?', outlet: 'The Wall Street Journal' });
  });

  it('reads the headline that has no outlet field at all', () => {
    expect(byTitle('Memorandum')).toMatchObject({
      title: 'Memorandum on Imposing Maximum Pressure on the Government of the Islamic Republic of Iran, Denying Iran All Paths to a Nuclear Weapon, and Countering...',
      outlet: null,
      date: '2025-02-11',
    });
  });

  it('gives every document a distinct id', () => {
    expect(new Set(parsed.documents.map((d) => d.id)).size).toBe(81);
  });
});

describe('parseHeadline', () => {
  it('rejects a line without a date, and an impossible date, with a reason', () => {
    expect(parseHeadline('- Just a title - Reuters')).toBe('a headline needs "- Title - Outlet - Month Dth, YYYY"');
    expect(parseHeadline('- Title - Reuters - February 30th, 2025 [February 30th, 2025]')).toBe('"February 30, 2025" is not a valid date');
  });
});

describe('malformed input', () => {
  it('reports a bad headline line as file:line: reason and keeps the rest', () => {
    const text = 'A – Outlet\nBody text.\nSee the article here:\nA - Outlet\n- Good - Reuters - March 7th, 2025 [March 7th, 2025]\n- Bad line without date\n';
    const result = parseFile('clip.txt', text);
    expect(result.documents.map((d) => d.title)).toEqual(['A', 'Good']);
    expect(result.problems.map(formatProblem)).toEqual(['clip.txt:6: a headline needs "- Title - Outlet - Month Dth, YYYY"']);
  });

  it('skips a file with unclosed front matter, YAML that does not parse, or no text, saying where', () => {
    expect(parseFile('a.md', '---\ntitle: A\nBody').problems.map(formatProblem)).toEqual(['a.md:1: front matter opened with --- is never closed']);
    expect(parseFile('b.md', '---\ntitle: [unclosed\n---\nBody').problems).toMatchObject([{ file: 'b.md', kind: 'file' }]);
    expect(parseFile('b.md', '---\ntitle: [unclosed\n---\nBody').problems[0]!.reason).toMatch(/^front matter is not valid YAML: /);
    expect(parseFile('d.md', '---\ntitle: Empty\n---\n')).toEqual({ documents: [], problems: [{ file: 'd.md', line: 4, reason: 'the document has no text', kind: 'file' }] });
  });

  it('keeps a document whose date it cannot read, with no date and a warning naming the line', () => {
    const result = parseFile('c.md', '---\ntitle: Talks\ndate: 7 March\n---\nBody');
    expect(result.documents.map((d) => [d.title, d.date])).toEqual([['Talks', null]]);
    expect(result.problems.map(formatProblem)).toEqual(['c.md:3: warning: date "7 March" is not a date this reads (e.g. 2025-03-18 or March 18, 2025); kept with no date']);
  });
});

describe('binary and non-UTF-8 files', () => {
  it('reports a binary file (NUL bytes) and a Latin-1 file as "file: not UTF-8 text" and reads nothing from them', () => {
    const elf = Uint8Array.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x41]);
    const latin1 = Buffer.from('Caf\xe9 au lait\nLe caf\xe9 est ferm\xe9.', 'latin1');
    for (const [name, bytes] of [['a.out.txt', elf], ['cafe.md', latin1]] as const) {
      const result = parseBytes(name, bytes);
      expect(result.documents).toEqual([]);
      expect(result.problems.map(formatProblem)).toEqual([`${name}: not UTF-8 text`]);
      expect(result.problems[0]!.kind).toBe('file');
    }
  });

  it('reads UTF-8 with accents and a byte-order mark as text', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('Café talks\nLe café est fermé.', 'utf8')]);
    expect(parseBytes('cafe.md', bytes).documents.map((d) => [d.title, d.text])).toEqual([['Café talks', 'Le café est fermé.']]);
  });
});

describe('corpus files', () => {
  it('reads .markdown files with the .md and .txt ones, and nothing else', () => {
    expect(['a.md', 'b.MARKDOWN', 'c.txt', 'd.markdown', 'e.html', 'f.pdf', 'README'].filter(isCorpusFile)).toEqual(['a.md', 'b.MARKDOWN', 'c.txt', 'd.markdown']);
  });

  it('reads a clipping whose first line has a hyphen instead of the en dash, by its headline lines, with a warning', () => {
    const text = 'Talks resume - Test Wire\nThe talks resumed today.\nSee the article here:\nhttps://example.org/talks\n- Talks resume - Test Wire - March 7th, 2025 [March 7th, 2025]\n';
    const result = parseFile('clip.txt', text);
    expect(result.documents.map((d) => [d.kind, d.title, d.outlet, d.date])).toEqual([
      ['article', 'Talks resume', 'Test Wire', null],
      ['headline', 'Talks resume', 'Test Wire', '2025-03-07'],
    ]);
    expect(result.problems.map(formatProblem)).toEqual(['clip.txt:1: warning: the first line uses " - " where "Title – Outlet" has an en dash; read the outlet as "Test Wire"']);
  });

  it('warns when a plain document holds headline lines but no trailer, so it is read as one document', () => {
    const text = 'Roundup\n- One - Wire - March 7th, 2025\n- Two - Wire - March 8th, 2025\n';
    expect(parseFile('roundup.txt', text).problems.map(formatProblem)).toEqual(['roundup.txt:1: warning: has headline lines but no "See the article here:" line, so it was read as one document']);
  });
});

describe('plain documents', () => {
  it('reads front matter fields and the body', () => {
    const text = '---\ntitle: "Oil exports rise"\noutlet: Reuters\ndate: 2025-04-02\nurl: https://example.org/oil\n---\nIran exported more oil.\n\nSecond paragraph.\n';
    const [doc] = parseFile('oil.md', text).documents;
    expect(doc).toMatchObject({ kind: 'article', title: 'Oil exports rise', outlet: 'Reuters', date: '2025-04-02', url: 'https://example.org/oil', text: 'Iran exported more oil.\n\nSecond paragraph.', file: 'oil.md', line: 7 });
  });

  it('keeps unknown front matter keys (author, tags) as the document\'s metadata', () => {
    const text = '---\ntitle: Oil exports rise\nauthor: Jane Doe\ntags: [energy, iran]\nOutlet: Reuters\n---\nIran exported more oil.\n';
    const result = parseFile('oil.md', text);
    expect(result.problems).toEqual([]);
    expect(result.documents[0]).toMatchObject({ title: 'Oil exports rise', outlet: 'Reuters', meta: { author: 'Jane Doe', tags: ['energy', 'iran'] } });
  });

  it('reads a quoted title with colons, and the common date forms', () => {
    const dates = ['2025-03-18', 'March 18, 2025', '18 March 2025', 'Mar. 18th, 2025', '2025-03-18T10:00:00Z', '"2025-03-18 09:30"'];
    for (const date of dates) {
      const [doc] = parseFile('d.md', `---\ntitle: "Iran: talks resume: day 2"\ndate: ${date}\n---\nBody.`).documents;
      expect([date, doc!.title, doc!.date]).toEqual([date, 'Iran: talks resume: day 2', '2025-03-18']);
    }
  });

  it('takes the first line as the title when there is no front matter', () => {
    const [doc] = parseFile('note.txt', '# A heading\nThe body.').documents;
    expect(doc).toMatchObject({ title: 'A heading', outlet: null, date: null, text: 'The body.' });
  });

  it('suffixes a repeated id so ids stay unique across files', () => {
    const one = parseFile('a.md', 'Same\nBody.').documents;
    const two = parseFile('b.md', 'Same\nBody.').documents;
    const ids = dedupeIds([...one, ...two]).map((d) => d.id);
    expect(ids[1]).toBe(`${ids[0]}-2`);
  });
});
