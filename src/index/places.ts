import { createRequire } from 'node:module';

/**
 * Countries as news names them: the country, its capital ("Tehran" for Iran's government), its
 * demonym ("Iranian") and its usual other names ("UK", "Great Britain"), from the maintained
 * `world-countries` dataset rather than a list of the corpus's own words.
 */

export interface Place {
  /** The country's common name, for --explain. */
  name: string;
  /** Its names as written: the common name and the short alternative names ("UK", "Great Britain"). */
  names: string[];
  /** Its capitals ("Washington D.C." and "Washington"), which news uses for the government. */
  capitals: string[];
  /** What its people are called ("Iranian"). */
  demonyms: string[];
}

export type PlaceForm = 'names' | 'capitals' | 'demonyms';
export const PLACE_FORMS: PlaceForm[] = ['names', 'capitals', 'demonyms'];

interface CountryRecord {
  name: { common: string };
  altSpellings: string[];
  capital: string[];
  demonyms: { eng?: { f: string; m: string } };
}

/** "Republic of Turkey" also says "Turkey"; the longer form is a title, not how news writes it. */
const STATE_TITLE = /^(?:.*\s)?(?:Republic|Kingdom|State|Federation|Commonwealth|Principality|Emirate|Sultanate|Union)\s+of\s+(?:the\s+)?/;
/** A trailing abbreviation ("Washington D.C.") is left off, as people say "Washington". */
const TRAILING_ABBREVIATION = /\s+(?:\p{Lu}\.)+$/u;
/** Alternative names worth matching: Latin script and at most three words. */
const USABLE = /^[\p{Script=Latin}\s.'’-]+$/u;

export function placeFromRecord(record: CountryRecord): Place {
  const names = new Set<string>([record.name.common]);
  for (const alt of record.altSpellings) {
    const short = alt.replace(STATE_TITLE, '');
    if (USABLE.test(short) && short.split(/\s+/).length <= 3) names.add(short);
  }
  const capitals = new Set(record.capital.flatMap((capital) => [capital, capital.replace(TRAILING_ABBREVIATION, '')]));
  const demonyms = new Set(record.demonyms.eng ? [record.demonyms.eng.m, record.demonyms.eng.f] : []);
  return { name: record.name.common, names: [...names], capitals: [...capitals], demonyms: [...demonyms] };
}

let cached: Place[] | null = null;

/** Every country of the dataset, read on first use (a few milliseconds). */
export function worldPlaces(): Place[] {
  if (!cached) {
    const require = createRequire(import.meta.url);
    cached = (require('world-countries/countries.json') as CountryRecord[]).map(placeFromRecord);
  }
  return cached;
}
