import { parseHTML } from 'linkedom';

/** Elements that end a paragraph: their text is kept apart by a blank line. */
const BLOCKS = 'p, div, section, article, blockquote, li, h1, h2, h3, h4, h5, h6, pre, tr, figcaption, dd, dt';
const DROPPED = 'script, style, noscript, template, iframe, svg, form, nav, button';

/**
 * Plain text of an HTML fragment: tags stripped, entities decoded, paragraphs kept as blank-line
 * separated blocks (the chunker splits on sentences, and a run-on blob hides the structure).
 */
export function htmlToText(html: string): string {
  if (!/[<&]/.test(html)) return tidy(html);
  const { document } = parseHTML(`<!doctype html><html><body>${html}</body></html>`);
  for (const node of document.querySelectorAll(DROPPED)) node.remove();
  for (const br of document.querySelectorAll('br')) br.replaceWith(document.createTextNode('\n'));
  for (const block of document.querySelectorAll(BLOCKS)) {
    block.before(document.createTextNode('\n\n'));
    block.after(document.createTextNode('\n\n'));
  }
  return tidy(document.body?.textContent ?? '');
}

/** One line: for titles and outlet names. */
export function oneLine(text: string): string {
  return htmlToText(text).replace(/\s+/g, ' ').trim();
}

function tidy(text: string): string {
  return text
    .replace(/\u00a0/g, ' ')
    .split(/\n\s*\n/)
    .map((para) => para.replace(/\s+/g, ' ').trim())
    .filter(Boolean)
    .join('\n\n');
}
