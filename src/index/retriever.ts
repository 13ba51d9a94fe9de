import type { Hit } from './compose.js';
import type { Embedder } from './embedder.js';
import type { LexicalIndex } from './lexical.js';
import { matchesDate, parseQuery, type ParsedQuery } from './query.js';
import { boostRecent, diversify, filterOrKeep, reciprocalRankFusion, weightedFusion, type Ranked } from './retrieve.js';
import { contentTerms } from './terms.js';
import type { Chunk, Document, Manifest } from './types.js';
import { dot } from './vector.js';
import type { VectorStore } from './vector-store.js';

/** A loaded index: everything a question needs, never mutated, swapped whole on re-index. */
export interface Snapshot {
  build: string;
  manifest: Manifest;
  documents: Document[];
  docById: Map<string, Document>;
  chunks: Chunk[];
  vectors: VectorStore;
  lexical: LexicalIndex;
  embedder: Embedder;
  outlets: string[];
}

export type RetrievalMode = 'hybrid' | 'dense' | 'lexical';

export interface RetrievalSettings {
  /** How many results each ranker contributes before fusion. */
  candidates: number;
  fusion: 'rrf' | 'weighted';
  /** [dense, lexical] weights for fusion. */
  weights: [number, number];
  /** Cosine similarity at which two results count as the same story. */
  duplicateThreshold: number;
  /** How much "latest" lifts the newest result, relative to the top score. */
  recencyWeight: number;
  refusal: RefusalThresholds;
}

/** What the refusal decision looks at; every value is in [0, 1]. */
export interface Evidence {
  /** Cosine similarity of the question to the closest chunk. */
  dense: number;
  /** The IDF-weighted share of the question's content words found in the best-covered top result. */
  lexical: number;
  /** Whether the dense and lexical rankers put the same chunk in their top few. */
  agree: boolean;
}

export interface RefusalThresholds {
  /** Answer when this much of the question is found, whatever the embeddings say. */
  lexical: number;
  /** Answer when the embeddings are this sure, whatever the words say. */
  dense: number;
  /** With agreement between the rankers, these lower bounds suffice. */
  agreedLexical: number;
  agreedDense: number;
}

export const DEFAULT_SETTINGS: RetrievalSettings = {
  candidates: 50,
  fusion: 'rrf',
  weights: [1, 1],
  duplicateThreshold: 0.9,
  recencyWeight: 0.5,
  refusal: { lexical: 0.75, dense: 0.6, agreedLexical: 0.35, agreedDense: 0.3 },
};

const AGREEMENT_DEPTH = 3;
const MORE_LIMIT = 10;

export interface Retrieval {
  parsed: ParsedQuery;
  queryTerms: Set<string>;
  evidence: Evidence;
  answered: boolean;
  hits: Hit[];
  more: Hit[];
}

/** The pure refusal rule over the evidence. */
export function isAnswerable(evidence: Evidence, thresholds: RefusalThresholds): boolean {
  if (evidence.lexical >= thresholds.lexical || evidence.dense >= thresholds.dense) return true;
  return evidence.agree && evidence.lexical >= thresholds.agreedLexical && evidence.dense >= thresholds.agreedDense;
}

/** IDF-weighted share of `terms` present in a chunk (with its document's title). */
export function coverage(terms: string[], chunkTerms: Set<string>, idf: (term: string) => number): number {
  const unique = [...new Set(terms)];
  const total = unique.reduce((sum, t) => sum + idf(t), 0);
  if (total === 0) return 0;
  return unique.filter((t) => chunkTerms.has(t)).reduce((sum, t) => sum + idf(t), 0) / total;
}

function dayNumber(iso: string | null): number | null {
  return iso ? Date.parse(`${iso}T00:00:00Z`) / 86_400_000 : null;
}

export async function retrieve(
  snapshot: Snapshot,
  question: string,
  k: number,
  settings: RetrievalSettings = DEFAULT_SETTINGS,
  mode: RetrievalMode = 'hybrid',
): Promise<Retrieval> {
  const parsed = parseQuery(question, snapshot.outlets);
  const searchText = parsed.text.trim() || question;
  const terms = contentTerms(searchText);
  const [queryVector] = await snapshot.embedder.embed([searchText]);
  const dense = snapshot.vectors.search(queryVector!, settings.candidates);
  const lexical = snapshot.lexical.search(searchText, settings.candidates);
  const lists = mode === 'dense' ? [dense] : mode === 'lexical' ? [lexical] : [dense, lexical];
  const fused = mode !== 'hybrid' ? lists[0]! : fuse(lists, settings);
  const ranked = applyQueryFilters(snapshot, fused, parsed, settings);
  const chunkOf = (label: number) => snapshot.chunks[label]!;
  const docOf = (label: number) => snapshot.docById.get(chunkOf(label).docId)!;
  const similarity = (a: number, b: number) => dot(snapshot.vectors.vector(a), snapshot.vectors.vector(b));
  const { selected, duplicates } = diversify(ranked, similarity, settings.duplicateThreshold, k + MORE_LIMIT);
  const toHit = (r: Ranked): Hit => ({ chunk: chunkOf(r.label), doc: docOf(r.label), score: r.score });
  const evidence = gatherEvidence(snapshot, terms, dense, lexical, selected.slice(0, AGREEMENT_DEPTH));
  return {
    parsed,
    queryTerms: new Set(terms),
    evidence,
    answered: terms.length > 0 || parsed.outlet !== undefined || parsed.date !== undefined ? isAnswerable(evidence, settings.refusal) : false,
    hits: selected.slice(0, k).map(toHit),
    more: [...selected.slice(k), ...duplicates].slice(0, MORE_LIMIT).map(toHit),
  };
}

function fuse(lists: Ranked[][], settings: RetrievalSettings): Ranked[] {
  return settings.fusion === 'rrf' ? reciprocalRankFusion(lists, settings.weights) : weightedFusion(lists, settings.weights);
}

function applyQueryFilters(snapshot: Snapshot, list: Ranked[], parsed: ParsedQuery, settings: RetrievalSettings): Ranked[] {
  const docOf = (label: number) => snapshot.docById.get(snapshot.chunks[label]!.docId)!;
  let ranked = list;
  if (parsed.outlet) ranked = filterOrKeep(ranked, (label) => docOf(label).outlet === parsed.outlet).list;
  if (parsed.date) ranked = filterOrKeep(ranked, (label) => matchesDate(docOf(label).date, parsed.date!)).list;
  if (parsed.recent) ranked = boostRecent(ranked, (label) => dayNumber(docOf(label).date), settings.recencyWeight);
  return ranked;
}

function gatherEvidence(snapshot: Snapshot, terms: string[], dense: Ranked[], lexical: Ranked[], top: Ranked[]): Evidence {
  const idf = (term: string) => snapshot.lexical.idf(term);
  const termsOf = (label: number) => {
    const chunk = snapshot.chunks[label]!;
    const doc = snapshot.docById.get(chunk.docId)!;
    return new Set(contentTerms(`${chunk.text} ${doc.kind === 'article' ? doc.title : ''}`));
  };
  const lexicalShare = Math.max(0, ...top.map((r) => coverage(terms, termsOf(r.label), idf)));
  const denseTop = dense.slice(0, AGREEMENT_DEPTH).map((r) => r.label);
  const agree = lexical.slice(0, AGREEMENT_DEPTH).some((r) => denseTop.includes(r.label));
  return { dense: Math.max(0, dense[0]?.score ?? 0), lexical: lexicalShare, agree };
}
