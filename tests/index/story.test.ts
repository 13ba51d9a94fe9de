import { describe, expect, it } from 'vitest';
import { indexPlaces } from '../../src/index/expand.js';
import { worldPlaces } from '../../src/index/places.js';
import { actorsHeld, capitalizedWords, definedPlaces, FOLLOW_DENSE, FOLLOW_SHARE, followsStory, nameTerms, topicActors } from '../../src/index/story.js';
import { instanceDefinition } from '../../src/index/wordnet.js';

const places = indexPlaces(worldPlaces());
const caseMap = new Map([
  ['russia', 'Russia'],
  ['mediation', 'mediation'],
  ['trump', 'Trump'],
  ['kremlin', 'Kremlin'],
  ['putin', 'Putin'],
  ['ottawa', 'Ottawa'],
  ['letter', 'letter'],
]);

describe('followsStory', () => {
  it('needs FOLLOW_SHARE of the topic held by its names and FOLLOW_DENSE to a passage that holds it', () => {
    expect(followsStory(FOLLOW_SHARE, FOLLOW_DENSE)).toBe(true);
    expect(followsStory(0.33, 0.95)).toBe(false);
    expect(followsStory(0.7, 0.83)).toBe(false);
  });
});

describe('nameTerms', () => {
  it("keeps the topic's words the corpus writes capitalized, without a possessive", () => {
    expect(nameTerms("Russia mediation and Trump's letter", caseMap)).toEqual([
      { term: 'russia', surface: 'Russia' },
      { term: 'trump', surface: 'Trump' },
    ]);
    expect(nameTerms('naval drills', caseMap)).toEqual([]);
  });
});

describe('instanceDefinition', () => {
  it("reads a named instance's definition from WordNet, and none for a common noun or an unknown word", () => {
    expect(instanceDefinition('Kremlin')).toBe('citadel of Moscow, housing the offices of the Russian government');
    expect(instanceDefinition('letter')).toBeNull();
    expect(instanceDefinition('Zzyzxq')).toBeNull();
  });
});

describe('capitalizedWords', () => {
  it('gives the words the corpus writes capitalized, as it writes them, once each', () => {
    expect(capitalizedWords("the kremlin's letter to putin and Putin", caseMap)).toEqual(['Kremlin', 'Putin']);
  });
});

describe('definedPlaces', () => {
  it('maps the names whose definition names a country to it, skipping places and names without one', () => {
    const define = (word: string) => ({ Kremlin: 'citadel of Moscow', Putin: 'Russian statesman', Trump: null, Russia: 'a country' })[word] ?? null;
    expect(definedPlaces(['Kremlin', 'Putin', 'Trump', 'Russia'], places, define)).toEqual(
      new Map([
        ['kremlin', { word: 'Kremlin', countries: new Set(['Russia']) }],
        ['putin', { word: 'Putin', countries: new Set(['Russia']) }],
      ]),
    );
  });

  it("reads WordNet's definitions by default", () => {
    expect(definedPlaces(['Kremlin'], places)).toEqual(new Map([['kremlin', { word: 'Kremlin', countries: new Set(['Russia']) }]]));
  });
});

describe('actorsHeld', () => {
  const idf = (t: string) => ({ russia: 2, mediat: 3 })[t] ?? 1;
  const actors = topicActors('Russia mediation', ['russia', 'mediat'], caseMap, idf, [{ term: 'moscow', from: 'Russia', fromTerm: 'russia', via: 'Moscow', source: 'place-related', weight: 0.3 }], places);
  const defined = new Map([['putin', { word: 'Putin', countries: new Set(['Russia']) }]]);

  it("weighs each of the topic's names by its share of the topic's IDF", () => {
    expect(actors).toEqual([{ term: 'russia', surface: 'Russia', weight: 0.4, standIns: ['moscow'], countries: new Set(['Russia']) }]);
  });

  it('holds a name by itself, a close stand-in, or a name defined through its country, saying which one stood in', () => {
    expect(actorsHeld(['russia', 'broker'], actors, defined)).toEqual({ share: 0.4, standIns: [] });
    expect(actorsHeld(['moscow', 'say'], actors, defined)).toEqual({ share: 0.4, standIns: [] });
    expect(actorsHeld(['putin', 'agre', 'broker'], actors, defined)).toEqual({ share: 0.4, standIns: ['Putin for Russia'] });
    expect(actorsHeld(['mediat', 'talk'], actors, defined)).toEqual({ share: 0, standIns: [] });
  });
});
