import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { corpusTerms, DEFAULT_EXPANSION, expandQuestion, findPlaces, indexPlaces, shareNarrower, variantsOf, type Expansion } from '../../src/index/expand.js';
import { placeFromRecord, worldPlaces } from '../../src/index/places.js';
import { buildCaseMap, contentTerms } from '../../src/index/terms.js';
import { openWordNet, parseSynset, type WordNet } from '../../src/index/wordnet.js';

const wordnet = openWordNet();
afterAll(() => wordnet.close());

/** A corpus about another part of the world than the seed: nothing here is tuned for it. */
const CANADA = [
  'Canada and Denmark agree a ceasefire over Hans Island',
  'The Canadian ambassador said the ceasefire would hold. Officials in Copenhagen welcomed the deal.',
];
const vocabulary = new Set(CANADA.flatMap(contentTerms));
const caseMap = buildCaseMap(CANADA);
const places = indexPlaces(worldPlaces());

describe('the WordNet reader', () => {
  it('finds base forms by the detachment rules', () => {
    expect(wordnet.lemmas('limits')).toEqual([{ lemma: 'limit', pos: 'noun' }, { lemma: 'limit', pos: 'verb' }]);
    expect(wordnet.lemmas('population')).toEqual([{ lemma: 'population', pos: 'noun' }]);
    expect(wordnet.lemmas('zzqx')).toEqual([]);
  });

  it('reads a synset and its pointers from a data line', () => {
    const line = '13994359 26 n 03 armistice 0 cease-fire 0 truce 0 001 @ 13993683 n 0000 | a state of peace';
    expect(parseSynset(line)).toEqual({ words: ['armistice', 'cease-fire', 'truce'], pointers: [{ symbol: '@', offset: 13993683, pos: 'noun', sourceWord: 0, targetWord: 0 }] });
  });

  it('gives the synonyms of the first sense', () => {
    expect(wordnet.related('truce', 1).map((r) => `${r.relation}:${r.lemma}`)).toEqual(['synonym:armistice', 'synonym:cease-fire', 'synonym:truce']);
  });
});

describe('places from world-countries', () => {
  it('keeps names, capitals without a trailing abbreviation, demonyms and short other names', () => {
    const us = placeFromRecord({ name: { common: 'United States' }, altSpellings: ['US', 'USA', 'United States of America'], capital: ['Washington D.C.'], demonyms: { eng: { f: 'American', m: 'American' } } });
    expect(us).toEqual({ name: 'United States', names: ['United States', 'US', 'USA'], capitals: ['Washington D.C.', 'Washington'], demonyms: ['American'] });
    const turkey = placeFromRecord({ name: { common: 'Türkiye' }, altSpellings: ['TR', 'Republic of Turkey'], capital: ['Ankara'], demonyms: {} });
    expect(turkey.names).toEqual(['Türkiye', 'TR', 'Turkey']);
  });

  it('matches a capitalized name, and an all-caps code only in capitals', () => {
    expect(findPlaces('Did Ottawa sign it?', places).map((m) => [m.place.name, m.kind, m.surface])).toEqual([['Canada', 'capitals', 'Ottawa']]);
    expect(findPlaces('What did the US say?', places).map((m) => m.place.name)).toEqual(['United States']);
    expect(findPlaces('is it true for us?', places)).toEqual([]);
  });
});

describe('expandQuestion on a drop-in corpus about Canada', () => {
  it('adds the corpus words for a capital and a synonym, weighted below the question words', () => {
    const expansions = expandQuestion('Did Ottawa accept the truce?', vocabulary, { wordnet, places }, caseMap);
    expect(expansions.map((e) => [e.from, e.term, e.source, e.weight])).toEqual([
      ['Ottawa', 'canada', 'place', 0.8],
      ['truce', 'ceasefir', 'synonym', 0.5],
    ]);
  });

  it('adds only words the corpus has, never one the question has already', () => {
    expect(expandQuestion('Did Canada sign a ceasefire or an armistice?', vocabulary, { wordnet, places }, caseMap)).toEqual([]);
    expect(corpusTerms('cease-fire', vocabulary)).toEqual(['ceasefir']);
    expect(corpusTerms('first light', vocabulary)).toBeNull();
  });

  it('adds narrower words for a general one, each at the narrower weight (concept scoring counts only the best)', () => {
    const fleet = [...CANADA, 'Ottawa sent a frigate and a destroyer to the strait.'];
    const expand = (q: string) =>
      expandQuestion(q, new Set(fleet.flatMap(contentTerms)), { wordnet, places }, buildCaseMap(fleet)).map((e) => [e.from, e.term, e.source, e.weight]);
    expect(expand('Did the diplomat speak of an agreement?')).toEqual([
      ['diplomat', 'ambassador', 'narrower', 0.3],
      ['agreement', 'agre', 'derived', 0.4],
      ['agreement', 'deal', 'narrower', 0.3],
    ]);
    expect(expand('Which warships went there?')).toEqual([
      ['warships', 'destroy', 'narrower', 0.3],
      ['warships', 'frigat', 'narrower', 0.3],
    ]);
  });

  it('shares narrower weights by √n per question word for a search that sums every term, and leaves other sources alone', () => {
    const e = (fromTerm: string, term: string, source: Expansion['source'], weight: number): Expansion => ({ term, from: fromTerm, fromTerm, via: term, source, weight });
    const shared = shareNarrower([e('warship', 'destroy', 'narrower', 0.3), e('warship', 'frigat', 'narrower', 0.3), e('warship', 'boat', 'synonym', 0.5), e('agreement', 'deal', 'narrower', 0.3)]);
    expect(shared.map((x) => [x.term, x.weight])).toEqual([['destroy', 0.3 / Math.SQRT2], ['frigat', 0.3 / Math.SQRT2], ['boat', 0.5], ['deal', 0.3]]);
  });

  it('never expands a common word to a name the corpus writes as one word: "put in" is not Putin', () => {
    const texts = [...CANADA, 'President Putin will put forward a plan.'];
    const expansions = expandQuestion('Where did they put the ceasefire plan?', new Set(texts.flatMap(contentTerms)), { wordnet, places }, buildCaseMap(texts));
    expect(expansions.map((e) => [e.from, e.term, e.source])).toEqual([]);
  });

  it('adds the corpus\'s other forms of a question word that the stemmer keeps apart, at 0.8', () => {
    const texts = [...CANADA, 'Norway, a guarantor of the ceasefire, sent observers.'];
    const expansions = expandQuestion('Who guarantees the ceasefire?', new Set(texts.flatMap(contentTerms)), { wordnet, places }, buildCaseMap(texts));
    expect(expansions.map((e) => [e.from, e.term, e.source, e.weight])).toEqual([['guarantees', 'guarantor', 'variant', 0.8]]);
  });

  it('finds variants only for stems of six letters or more: "elect" is not "electricity"', () => {
    const vocab = ['guarante', 'guarantor', 'guard', 'electr', 'elect', 'threat', 'threaten'];
    expect(variantsOf('guarante', vocab)).toEqual(['guarantor']);
    expect(variantsOf('threaten', vocab)).toEqual(['threat']);
    expect(variantsOf('elect', vocab)).toEqual([]);
  });

  it('finds through the prefix index of a Set what a scan of the same terms finds, and sees a term added later', () => {
    const dir = join(import.meta.dirname, '../../corpus');
    const vocabulary = new Set(readdirSync(dir).flatMap((name) => contentTerms(readFileSync(join(dir, name), 'utf8'))));
    const terms = [...vocabulary];
    let withVariants = 0;
    for (const term of terms) {
      expect(variantsOf(term, vocabulary), term).toEqual(variantsOf(term, terms));
      if (variantsOf(term, terms).length > 0) withVariants++;
    }
    expect(withVariants).toBeGreaterThan(10);
    vocabulary.add('negotiatorship');
    expect(variantsOf('negotiator', vocabulary)).toEqual(variantsOf('negotiator', [...vocabulary]));
    expect(variantsOf('negotiator', vocabulary)).toContain('negotiatorship');
  });

  it('asks WordNet once per word and senses, and answers the same from memory', () => {
    const asked: string[] = [];
    const counting: WordNet = { ...wordnet, related: (word, senses) => (asked.push(`${word}/${senses}`), wordnet.related(word, senses)) };
    const vocabulary = new Set(['armistic', 'ceasefir', 'truce', 'accord']);
    const first = expandQuestion('Is the truce holding?', vocabulary, { wordnet: counting }, new Map());
    const again = expandQuestion('Is the truce holding?', vocabulary, { wordnet: counting }, new Map());
    const fewer = expandQuestion('Is the truce holding?', vocabulary, { wordnet: counting }, new Map(), { ...DEFAULT_EXPANSION, senses: 2 });
    expect(first.map((e) => e.term)).toEqual(['armistic', 'ceasefir']);
    expect(again).toEqual(first);
    expect(fewer.length).toBeGreaterThanOrEqual(first.length);
    expect(asked).toEqual(['truce/1', 'holding/1', 'truce/2', 'holding/2']);
  });

  it('reads a people as its country: "Danes" is not in the data, "Danish" is', () => {
    expect(expandQuestion('What did the Danish officials say?', vocabulary, { wordnet, places }, caseMap).map((e) => [e.from, e.term, e.source])).toEqual([['Danish', 'denmark', 'place']]);
  });
});
