import { split, SentenceSplitterSyntax } from 'sentence-splitter';
import type { Chunk, ChunkOptions, Document } from './types.js';

export const DEFAULT_CHUNKING: ChunkOptions = { targetChars: 150, overlapChars: 0 };

/** A sentence as offsets into the text it came from. */
export interface Span {
  start: number;
  end: number;
}

/**
 * Sentence spans, without surrounding white space. sentence-splitter rather than Intl.Segmenter:
 * Node's ICU splits after "Mr." or "Gen." because it lacks ICU's abbreviation suppressions.
 */
export function sentences(text: string): Span[] {
  const spans: Span[] = [];
  for (const node of split(text)) {
    if (node.type !== SentenceSplitterSyntax.Sentence) continue;
    const [start, end] = trimSpan(text, node.range[0], node.range[1]);
    if (end > start) spans.push({ start, end });
  }
  return spans;
}

function trimSpan(text: string, start: number, end: number): [number, number] {
  while (start < end && /\s/.test(text[start]!)) start++;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return [start, end];
}

/** Paragraphs as spans: chunks never straddle a paragraph break. */
function paragraphs(text: string): Span[] {
  const spans: Span[] = [];
  for (const match of text.matchAll(/[^\n]+/g)) {
    const [start, end] = trimSpan(text, match.index, match.index + match[0].length);
    if (end > start) spans.push({ start, end });
  }
  return spans;
}

/** A document's chunks, and the sentences they were cut from (saved with the build for quoting). */
export interface SplitDocument {
  chunks: Chunk[];
  /**
   * Every sentence of an article's paragraphs as pairs of offsets into its text
   * ([start0, end0, start1, end1, …]); empty for a headline, which is never cut.
   */
  sentences: Uint32Array;
}

/**
 * Splits a document into chunks of whole sentences, about `targetChars` long, each repeating up to
 * `overlapChars` of the previous chunk's last sentences. Headlines stay whole.
 */
export function splitDocument(doc: Document, options: ChunkOptions = DEFAULT_CHUNKING): SplitDocument {
  const groups: Span[] = [];
  const all: Span[] = [];
  if (doc.kind === 'headline') groups.push({ start: 0, end: doc.text.length });
  else {
    for (const paragraph of paragraphs(doc.text)) {
      const inner = paragraphSentences(doc.text, paragraph);
      all.push(...inner);
      groups.push(...groupSentences(inner, options));
    }
  }
  const chunks = groups.map((span, i) => ({
    id: `${doc.id}#${i}`,
    docId: doc.id,
    text: doc.text.slice(span.start, span.end),
    start: span.start,
    end: span.end,
  }));
  const sentences = new Uint32Array(all.length * 2);
  all.forEach((span, i) => {
    sentences[2 * i] = span.start;
    sentences[2 * i + 1] = span.end;
  });
  return { chunks, sentences };
}

export function chunkDocument(doc: Document, options: ChunkOptions = DEFAULT_CHUNKING): Chunk[] {
  return splitDocument(doc, options).chunks;
}

/** The sentences of one paragraph, as offsets into the whole text. */
function paragraphSentences(text: string, paragraph: Span): Span[] {
  return sentences(text.slice(paragraph.start, paragraph.end)).map((s) => ({
    start: s.start + paragraph.start,
    end: s.end + paragraph.start,
  }));
}

function groupSentences(inner: Span[], options: ChunkOptions): Span[] {
  const groups: Span[] = [];
  let first = 0;
  while (first < inner.length) {
    let last = first;
    while (last + 1 < inner.length && inner[last + 1]!.end - inner[first]!.start <= options.targetChars) last++;
    groups.push({ start: inner[first]!.start, end: inner[last]!.end });
    if (last + 1 >= inner.length) break;
    first = Math.max(first + 1, overlapStart(inner, last, options.overlapChars));
  }
  return groups;
}

/** The first sentence of the overlap: as many trailing sentences as fit in `overlapChars`. */
function overlapStart(spans: Span[], last: number, overlapChars: number): number {
  let first = last + 1;
  while (first - 1 >= 0 && spans[last]!.end - spans[first - 1]!.start <= overlapChars) first--;
  return first;
}

export function chunkDocuments(documents: Document[], options: ChunkOptions = DEFAULT_CHUNKING): Chunk[] {
  return documents.flatMap((doc) => chunkDocument(doc, options));
}
