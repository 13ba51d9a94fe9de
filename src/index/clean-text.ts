/**
 * Characters a reader cannot see but that change how text is shown or matched: controls (other
 * than tab and line breaks), zero-width characters, bidi embeddings, overrides and isolates, the
 * byte-order mark and the soft hyphen. A right-to-left override in a question would reverse the
 * title it is echoed in; a zero-width space inside a word stops it matching the corpus.
 */
const INVISIBLE = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u00AD\u061C\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u2066-\u206F\uFEFF\uFFF9-\uFFFB]/g;

/** `text` without invisible and direction-changing characters. */
export function stripInvisible(text: string): string {
  return text.replace(INVISIBLE, '');
}

/** Whether `text` holds at least one letter or digit in any script: something to search for. */
export function hasWords(text: string): boolean {
  return /[\p{L}\p{N}]/u.test(text);
}
