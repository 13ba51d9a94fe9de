import { PLACE_FORMS, type Place, type PlaceForm } from './places.js';
import { allTerms, groupByPrefix, isStopword, normalizeTerm, sameWord, WORD } from './terms.js';
import type { Related, Relation, WordNet } from './wordnet.js';

/**
 * Query expansion: the words a question does not share with the corpus, said the corpus's way.
 * "Cairo" adds "Egypt", "truce" adds "ceasefire". Only words that occur in the corpus are added,
 * so an expansion is always something retrieval can match, and each weighs less than the
 * question's own words.
 */

/** `variant`: the question's word in a form the stemmer keeps apart ("guarantees": guarantor). */
export type ExpansionSource = 'place' | 'place-related' | 'variant' | Relation;

export interface Expansion {
  /** The normalized term added to the search. */
  term: string;
  /** The question's word (or place name) it stands for. */
  from: string;
  /** The normalized question term it stands for; a place spanning words names its last one. */
  fromTerm: string;
  /** The lemma or place form, as the lexicon writes it, for --explain. */
  via: string;
  source: ExpansionSource;
  /** Below 1: an expansion counts less than the question's own word. */
  weight: number;
}

export interface Lexicons {
  wordnet?: WordNet;
  places?: Place[];
}

export interface ExpansionSettings {
  /** How many of a word's WordNet senses (most frequent first) to take synonyms from. */
  senses: number;
  weights: Record<ExpansionSource, number>;
}

export const DEFAULT_EXPANSION: ExpansionSettings = {
  senses: 1,
  weights: { place: 0.8, 'place-related': 0.3, variant: 0.8, synonym: 0.5, similar: 0.4, derived: 0.4, narrower: 0.3 },
};

/** A place index: each form's normalized words, joined by spaces, to the places it names. */
export interface PlaceIndex {
  forms: Map<string, Array<{ place: Place; form: string; kind: PlaceForm }>>;
  longest: number;
}

export function indexPlaces(places: Place[]): PlaceIndex {
  const forms: PlaceIndex['forms'] = new Map();
  let longest = 1;
  for (const place of places) {
    for (const kind of PLACE_FORMS) {
      for (const form of place[kind]) {
        const words = allTerms(form).map((t) => t.term);
        if (words.length === 0) continue;
        longest = Math.max(longest, words.length);
        const key = words.join(' ');
        forms.set(key, [...(forms.get(key) ?? []), { place, form, kind }]);
      }
    }
  }
  return { forms, longest };
}

/**
 * The normalized content words of a lexicon entry ("cease-fire", "United_States") when the corpus
 * has them all, else null. With `phrases` false, an entry of several words counts only when the
 * corpus writes it as one ("cease-fire" as "ceasefire"): "first light" is not "first" and "light".
 */
export function corpusTerms(entry: string, vocabulary: Set<string>, phrases = true): string[] | null {
  const joined = normalizeTerm(entry.replace(/[-_\s.]/g, ''));
  if (vocabulary.has(joined)) return [joined];
  if (!phrases) return null;
  const words = entry.split(/[-_\s]+/).filter((w) => w && !isStopword(w));
  const terms = words.map((w) => normalizeTerm(w));
  return terms.length > 0 && terms.every((t) => vocabulary.has(t)) ? terms : null;
}

/** Whether a form ("US", "Tehran") is written as the question writes `surface`. */
function caseFits(form: string, surface: string, lowerCaseQuestion: boolean): boolean {
  if (form.length > 1 && form === form.toUpperCase()) return surface === surface.toUpperCase();
  return lowerCaseQuestion || /^\p{Lu}/u.test(surface);
}

/** Places named in the text: each match with the question words it spans. */
export interface PlaceMatch {
  place: Place;
  kind: PlaceForm;
  surface: string;
  /** The normalized words it spans; `term` is the last. */
  terms: string[];
  term: string;
}

export function findPlaces(text: string, index: PlaceIndex): PlaceMatch[] {
  const words = allTerms(text);
  const lowerCase = text === text.toLowerCase();
  const found: PlaceMatch[] = [];
  for (let i = 0; i < words.length; ) {
    let matched = 0;
    for (let n = Math.min(index.longest, words.length - i); n >= 1 && !matched; n--) {
      const span = words.slice(i, i + n);
      const surface = text.slice(span[0]!.start, span.at(-1)!.end);
      const hits = (index.forms.get(span.map((t) => t.term).join(' ')) ?? []).filter((h) => caseFits(h.form, surface, lowerCase));
      for (const hit of hits) if (!found.some((f) => f.place === hit.place)) found.push({ place: hit.place, kind: hit.kind, surface, term: span.at(-1)!.term, terms: span.map((t) => t.term) });
      if (hits.length > 0) matched = n;
    }
    i += matched || 1;
  }
  return found;
}

/**
 * The expansions of a question, best weight per term. `vocabulary` holds the corpus's normalized
 * terms; `caseMap` its usual casing, so that a name ("Trump") is not read as a common word.
 */
export function expandQuestion(
  text: string,
  vocabulary: Set<string>,
  lexicons: { wordnet?: WordNet; places?: PlaceIndex },
  caseMap: Map<string, string>,
  settings: ExpansionSettings = DEFAULT_EXPANSION,
): Expansion[] {
  const own = allTerms(text).filter((t) => !isStopword(text.slice(t.start, t.end))).map((t) => t.term);
  const out = new Map<string, Expansion>();
  const add = (e: Expansion) => {
    if (e.weight <= 0 || own.some((t) => sameWord(t, e.term))) return;
    const known = out.get(e.term);
    if (!known || known.weight < e.weight) out.set(e.term, e);
  };
  const placed = new Set<string>();
  for (const match of lexicons.places ? findPlaces(text, lexicons.places) : []) {
    match.terms.forEach((t) => placed.add(t));
    // A capital or a people stands for the country ("Tehran" for Iran); the country's own name
    // says less about its capital, so that direction weighs less.
    for (const kind of PLACE_FORMS) {
      const source = kind === 'names' ? 'place' : 'place-related';
      if (match.kind !== 'names' && kind !== 'names') continue;
      for (const form of match.place[kind]) {
        // A name of several words shares the weight: "United States" is one expansion, not two.
        const terms = corpusTerms(form, vocabulary) ?? [];
        for (const term of terms) add({ term, from: match.surface, fromTerm: match.term, via: form, source, weight: settings.weights[source] / terms.length });
      }
    }
  }
  for (const [word] of text.matchAll(WORD)) {
    const term = normalizeTerm(word);
    if (isStopword(word) || placed.has(term) || isName(word, caseMap)) continue;
    // The same word, so it may stand beside the question's own forms (unlike the expansions above).
    for (const variant of variantsOf(term, vocabulary)) {
      if (!own.includes(variant) && !out.has(variant)) out.set(variant, { term: variant, from: word, fromTerm: term, via: variant, source: 'variant', weight: settings.weights.variant });
    }
  }
  if (lexicons.wordnet) {
    for (const [word] of text.matchAll(WORD)) {
      const term = normalizeTerm(word);
      if (isStopword(word) || placed.has(term) || isName(word, caseMap)) continue;
      for (const r of relatedOf(lexicons.wordnet, word, settings.senses)) {
        // A common word never stands for a name: "best" is not "Trump", "put in" is not "Putin".
        if (isName(r.lemma, caseMap) || isName(r.lemma.replace(/[-_\s.]/g, ''), caseMap)) continue;
        for (const t of corpusTerms(r.lemma, vocabulary, false) ?? []) {
          add({ term: t, from: word, fromTerm: term, via: r.lemma.replace(/_/g, ' '), source: r.relation, weight: settings.weights[r.relation] });
        }
      }
    }
  }
  return [...out.values()];
}

const RELATED_CACHE = 4096;
const relatedCache = new WeakMap<WordNet, Map<string, Related[]>>();

/**
 * `wordnet.related`, remembered per word: each call reads synsets from WordNet's data files, and
 * the words of news questions recur. WordNet is read-only, so a remembered answer stays true;
 * the cache is emptied when full rather than growing with every word ever asked.
 */
function relatedOf(wordnet: WordNet, word: string, senses: number): readonly Related[] {
  let cache = relatedCache.get(wordnet);
  if (!cache) relatedCache.set(wordnet, (cache = new Map()));
  const key = `${senses} ${word}`;
  let related = cache.get(key);
  if (!related) {
    if (cache.size >= RELATED_CACHE) cache.clear();
    cache.set(key, (related = wordnet.related(word, senses)));
  }
  return related;
}

const VARIANT_PREFIX = 6;

/**
 * The corpus's terms that `sameWord` takes for `term` but BM25 does not ("guarante" and
 * "guarantor"): the derivations the Porter stemmer leaves apart.
 */
export function variantsOf(term: string, vocabulary: Iterable<string>): string[] {
  if (term.length < VARIANT_PREFIX) return [];
  const prefix = term.slice(0, VARIANT_PREFIX);
  const found: string[] = [];
  for (const candidate of withPrefix(vocabulary, prefix)) if (candidate !== term && candidate.startsWith(prefix) && sameWord(term, candidate)) found.push(candidate);
  return found.sort();
}

/** A vocabulary's terms by their first VARIANT_PREFIX letters, and the size it was built at. */
const prefixIndexes = new WeakMap<Set<string>, { size: number; byPrefix: Map<string, string[]> }>();

/**
 * The terms of `vocabulary` that may start with `prefix`. A snapshot's vocabulary (a Set, never
 * changed) is indexed by prefix on its first question, so a word costs a look-up, not a scan of
 * every term; a Set whose size has changed since is indexed again, any other iterable is scanned.
 */
function withPrefix(vocabulary: Iterable<string>, prefix: string): Iterable<string> {
  if (!(vocabulary instanceof Set)) return vocabulary;
  return indexVocabulary(vocabulary).get(prefix) ?? [];
}

/** The prefix index `withPrefix` reads, built now if it is not yet (a warm-up after a load calls it). */
export function indexVocabulary(vocabulary: Set<string>): Map<string, string[]> {
  let index = prefixIndexes.get(vocabulary);
  if (!index || index.size !== vocabulary.size) {
    prefixIndexes.set(vocabulary, (index = { size: vocabulary.size, byPrefix: groupByPrefix(vocabulary, VARIANT_PREFIX) }));
  }
  return index.byPrefix;
}

/**
 * For a search that sums every term: a general word has many narrower ones in a corpus
 * ("weapon": missile, rifle, drone), so they share their weight, √n times what one weighs
 * together, and a broad word's hyponyms cannot outweigh the question. Concept scoring
 * (concepts.ts) needs no sharing: there only the best of them counts.
 */
export function shareNarrower(expansions: Expansion[]): Expansion[] {
  const count = new Map<string, number>();
  for (const e of expansions) if (e.source === 'narrower') count.set(e.fromTerm, (count.get(e.fromTerm) ?? 0) + 1);
  return expansions.map((e) => (e.source === 'narrower' ? { ...e, weight: e.weight / Math.sqrt(count.get(e.fromTerm)!) } : e));
}

/** A proper name: the corpus writes it capitalized ("Trump" is not the card game's "trump"). */
function isName(word: string, caseMap: Map<string, string>): boolean {
  const usual = caseMap.get(word.toLowerCase());
  return usual !== undefined && /^\p{Lu}/u.test(usual) && usual.toLowerCase() === word.toLowerCase();
}
