/**
 * Following a story, for /timeline (the tracking step of Topic Detection and Tracking): the
 * passages that hold a topic describe its story better than the topic's two or three words, so a
 * passage that names the topic's actor and is nearly the same text as one of them joins it
 * ("Russia 'agreed' to broker talks" beside "Russia's offer to mediate"), even though it words the
 * rest another way.
 */
import { findPlaces, type Expansion, type PlaceIndex } from './expand.js';
import { allTerms, isStopword, matchedTerms, normalizeTerm } from './terms.js';
import { instanceDefinition } from './wordnet.js';

/**
 * The topic's names a follower holds must carry FOLLOW_SHARE of the topic's weight, so a name on
 * nearly every page ("Iran" in a corpus about Iran) or a topic without names pulls nothing in; and
 * it must reach FOLLOW_DENSE to a passage that holds the topic, since with the Universal Sentence
 * Encoder any two headlines on one country sit at cosine 0.75-0.8.
 */
export const FOLLOW_SHARE = 0.35;
export const FOLLOW_DENSE = 0.84;
/**
 * Followers are looked for among the nearest neighbours of the best direct matches (vector store
 * searches), so following costs a few searches, not a comparison per passage and match.
 */
export const FOLLOW_LEADERS = 100;
export const FOLLOW_NEIGHBOURS = 20;

/** Whether a passage that does not hold the topic follows its story. Pure. */
export function followsStory(actorShare: number, closest: number): boolean {
  return actorShare >= FOLLOW_SHARE && closest >= FOLLOW_DENSE;
}

/** The topic's words that the corpus writes as names ("Russia", "Trump"), normalized and as written. */
export function nameTerms(text: string, caseMap: Map<string, string>): Array<{ term: string; surface: string }> {
  return allTerms(text).flatMap((t) => {
    const word = text.slice(t.start, t.end).replace(/['’]s$/, '');
    return !isStopword(word) && /^\p{Lu}/u.test(caseMap.get(word.toLowerCase()) ?? '') ? [{ term: t.term, surface: word }] : [];
  });
}

/** A name WordNet defines through countries: its usual casing and those countries. */
export interface DefinedName {
  word: string;
  countries: Set<string>;
}

/** Normalized term -> the name and the countries its WordNet definition names. */
export type DefinedPlaces = Map<string, DefinedName>;

/** The words of `text` that the corpus writes capitalized, as it writes them. */
export function capitalizedWords(text: string, caseMap: Map<string, string>): string[] {
  const out = new Set<string>();
  for (const t of allTerms(text)) {
    const usual = caseMap.get(text.slice(t.start, t.end).replace(/['’]s$/, '').toLowerCase());
    if (usual && /^\p{Lu}/u.test(usual) && !isStopword(usual)) out.add(usual);
  }
  return [...out];
}

const definitions = new Map<string, string | null>();

/** `instanceDefinition`, remembered: the same names come back in every timeline. */
function rememberedDefinition(word: string): string | null {
  if (!definitions.has(word)) definitions.set(word, instanceDefinition(word));
  return definitions.get(word)!;
}

/**
 * Of `names`, those WordNet defines through a country ("Kremlin": "citadel of Moscow, housing the
 * offices of the Russian government"; "Putin": "Russian statesman…"): each stands for that country
 * as a follower's actor. Names that are places themselves are left to the countries data.
 */
export function definedPlaces(names: Iterable<string>, places: PlaceIndex, define: (word: string) => string | null = rememberedDefinition): DefinedPlaces {
  const out: DefinedPlaces = new Map();
  for (const name of names) {
    if (findPlaces(name, places).length > 0) continue;
    const definition = define(name);
    const countries = definition ? findPlaces(definition, places).map((m) => m.place.name) : [];
    if (countries.length > 0) out.set(normalizeTerm(name), { word: name, countries: new Set(countries) });
  }
  return out;
}

/** One of the topic's names, with what stands for it in a passage. */
export interface Actor {
  term: string;
  /** As the topic writes it, for the timeline's "why". */
  surface: string;
  /** The name's IDF share of the topic. */
  weight: number;
  /** Its close expansions (capital, people, synonyms): any one of them counts as the name. */
  standIns: string[];
  /** The countries the name is, for names WordNet defines through one. */
  countries: Set<string>;
}

/** The topic's actors: its names, weighted by their share of the topic's IDF. */
export function topicActors(text: string, terms: string[], caseMap: Map<string, string>, idf: (term: string) => number, expansions: Expansion[], places?: PlaceIndex): Actor[] {
  const total = [...new Set(terms)].reduce((sum, t) => sum + idf(t), 0);
  if (total === 0) return [];
  const found = places ? findPlaces(text, places) : [];
  const actors = new Map<string, Actor>();
  for (const { term, surface } of nameTerms(text, caseMap)) {
    if (actors.has(term)) continue;
    const countries = new Set(found.filter((m) => m.terms.includes(term)).map((m) => m.place.name));
    actors.set(term, { term, surface, weight: idf(term) / total, standIns: expansions.filter((e) => e.fromTerm === term).map((e) => e.term), countries });
  }
  return [...actors.values()];
}

/** How much of the topic a passage's names carry, and the defined names that stood in ("Putin for Russia"). */
export interface ActorsHeld {
  share: number;
  standIns: string[];
}

/** The actors a passage holds: each by name, close stand-in or definition. Pure. */
export function actorsHeld(passageTerms: string[], actors: Actor[], defined: DefinedPlaces): ActorsHeld {
  const held: ActorsHeld = { share: 0, standIns: [] };
  for (const actor of actors) {
    if (matchedTerms([actor.term, ...actor.standIns], passageTerms).size > 0) {
      held.share += actor.weight;
      continue;
    }
    const name = passageTerms.map((t) => defined.get(t)).find((d) => d && [...d.countries].some((c) => actor.countries.has(c)));
    if (name) {
      held.share += actor.weight;
      held.standIns.push(`${name.word} for ${actor.surface}`);
    }
  }
  return held;
}
