import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * A deterministic synthetic news corpus for scale runs: many outlets over two years, plain
 * front-matter articles and clipping files (an article, then a list of headlines), in the formats
 * of README.md. Every sentence is 80–148 characters, so the default chunking (150 characters of
 * whole sentences) makes exactly one chunk of each sentence and of each headline: the chunk count
 * is known before indexing.
 */

export type Random = () => number;

/** mulberry32: small, seedable, and the same sequence on every machine. */
export function seededRandom(seed: number): Random {
  let state = seed | 0;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
/** Zipf-like: the first items are much more frequent than the last, as words and outlets are. */
const pickSkewed = <T>(random: Random, items: readonly T[]): T => items[Math.floor(items.length * random() ** 2.2)]!;

const TOPICS: Record<string, { nouns: string[]; verbs: string[]; adjectives: string[] }> = {
  politics: {
    nouns: ['election', 'parliament', 'minister', 'coalition', 'ballot', 'campaign', 'senate', 'referendum', 'opposition', 'cabinet', 'governor', 'mayor', 'council', 'vote', 'policy', 'reform', 'party', 'lawmakers', 'candidate', 'debate'],
    verbs: ['approved', 'rejected', 'debated', 'announced', 'proposed', 'blocked', 'delayed', 'endorsed', 'criticized', 'postponed'],
    adjectives: ['contested', 'narrow', 'sweeping', 'controversial', 'bipartisan', 'early', 'disputed', 'fragile'],
  },
  economy: {
    nouns: ['inflation', 'budget', 'tax', 'bank', 'market', 'prices', 'wages', 'unemployment', 'exports', 'imports', 'tariff', 'investment', 'growth', 'recession', 'debt', 'bonds', 'currency', 'factory', 'retail', 'shares'],
    verbs: ['rose', 'fell', 'slowed', 'surged', 'stabilized', 'forecast', 'cut', 'raised', 'reported', 'warned'],
    adjectives: ['quarterly', 'annual', 'sharp', 'modest', 'unexpected', 'steady', 'record', 'weak'],
  },
  weather: {
    nouns: ['storm', 'flood', 'drought', 'heatwave', 'rainfall', 'wildfire', 'snow', 'hurricane', 'forecast', 'temperatures', 'river', 'evacuation', 'damage', 'coast', 'winds', 'landslide', 'frost', 'hail', 'tornado', 'monsoon'],
    verbs: ['hit', 'flooded', 'swept', 'damaged', 'forced', 'threatened', 'eased', 'battered', 'spread', 'receded'],
    adjectives: ['severe', 'heavy', 'unusual', 'deadly', 'coastal', 'northern', 'southern', 'prolonged'],
  },
  justice: {
    nouns: ['court', 'judge', 'trial', 'verdict', 'police', 'investigation', 'appeal', 'prosecutors', 'lawsuit', 'arrest', 'sentence', 'witness', 'charges', 'fraud', 'jury', 'ruling', 'evidence', 'prison', 'suspect', 'inquiry'],
    verbs: ['charged', 'convicted', 'acquitted', 'ruled', 'arrested', 'sentenced', 'dismissed', 'upheld', 'overturned', 'questioned'],
    adjectives: ['federal', 'criminal', 'landmark', 'lengthy', 'high', 'independent', 'supreme', 'local'],
  },
  health: {
    nouns: ['hospital', 'vaccine', 'doctors', 'nurses', 'patients', 'outbreak', 'clinic', 'treatment', 'virus', 'infections', 'surgery', 'pharmacy', 'cancer', 'research', 'trial', 'medicine', 'ambulance', 'care', 'screening', 'disease'],
    verbs: ['treated', 'tested', 'expanded', 'closed', 'reopened', 'recorded', 'tracked', 'recommended', 'funded', 'trained'],
    adjectives: ['public', 'mental', 'rural', 'regional', 'emergency', 'chronic', 'seasonal', 'national'],
  },
  sport: {
    nouns: ['match', 'championship', 'league', 'coach', 'team', 'goal', 'final', 'tournament', 'season', 'stadium', 'players', 'fans', 'transfer', 'medal', 'race', 'title', 'striker', 'captain', 'injury', 'cup'],
    verbs: ['won', 'lost', 'drew', 'scored', 'signed', 'defeated', 'qualified', 'retired', 'clinched', 'trained'],
    adjectives: ['thrilling', 'decisive', 'home', 'away', 'unbeaten', 'injured', 'young', 'veteran'],
  },
  energy: {
    nouns: ['oil', 'gas', 'pipeline', 'refinery', 'solar', 'wind', 'grid', 'electricity', 'nuclear', 'reactor', 'coal', 'emissions', 'battery', 'turbines', 'fuel', 'plant', 'supply', 'output', 'drilling', 'power'],
    verbs: ['expanded', 'halted', 'resumed', 'boosted', 'shut', 'connected', 'supplied', 'exported', 'built', 'cut'],
    adjectives: ['renewable', 'offshore', 'domestic', 'clean', 'new', 'aging', 'major', 'planned'],
  },
  transport: {
    nouns: ['railway', 'train', 'airport', 'flights', 'bridge', 'road', 'port', 'ferry', 'traffic', 'tunnel', 'highway', 'bus', 'strike', 'cargo', 'shipping', 'rail', 'terminal', 'route', 'commuters', 'station'],
    verbs: ['opened', 'closed', 'delayed', 'cancelled', 'expanded', 'blocked', 'reopened', 'upgraded', 'diverted', 'suspended'],
    adjectives: ['busy', 'new', 'international', 'high', 'regional', 'overnight', 'main', 'congested'],
  },
  education: {
    nouns: ['school', 'university', 'students', 'teachers', 'exams', 'tuition', 'campus', 'curriculum', 'scholarship', 'classes', 'graduates', 'principal', 'enrollment', 'library', 'degree', 'lecturers', 'grants', 'pupils', 'colleges', 'faculty'],
    verbs: ['enrolled', 'graduated', 'protested', 'funded', 'closed', 'launched', 'revised', 'expanded', 'hired', 'awarded'],
    adjectives: ['primary', 'secondary', 'public', 'private', 'academic', 'new', 'free', 'overcrowded'],
  },
  technology: {
    nouns: ['software', 'startup', 'data', 'network', 'satellite', 'chips', 'smartphone', 'cyberattack', 'privacy', 'platform', 'robots', 'internet', 'servers', 'engineers', 'app', 'hackers', 'cloud', 'semiconductor', 'telecom', 'users'],
    verbs: ['launched', 'unveiled', 'hacked', 'acquired', 'released', 'tested', 'banned', 'regulated', 'restored', 'developed'],
    adjectives: ['digital', 'secure', 'mobile', 'artificial', 'global', 'online', 'new', 'encrypted'],
  },
  agriculture: {
    nouns: ['harvest', 'farmers', 'crops', 'wheat', 'rice', 'cattle', 'fertilizer', 'irrigation', 'orchards', 'dairy', 'grain', 'livestock', 'soil', 'seeds', 'fishing', 'vineyards', 'pests', 'subsidies', 'maize', 'coffee'],
    verbs: ['harvested', 'planted', 'exported', 'lost', 'protested', 'recovered', 'doubled', 'shrank', 'sold', 'stored'],
    adjectives: ['poor', 'bumper', 'organic', 'dry', 'seasonal', 'local', 'small', 'family'],
  },
  diplomacy: {
    nouns: ['summit', 'treaty', 'talks', 'ambassador', 'sanctions', 'ceasefire', 'border', 'alliance', 'delegation', 'embassy', 'agreement', 'envoy', 'negotiations', 'refugees', 'aid', 'troops', 'conflict', 'peace', 'visit', 'relations'],
    verbs: ['signed', 'resumed', 'collapsed', 'welcomed', 'condemned', 'extended', 'hosted', 'recalled', 'mediated', 'imposed'],
    adjectives: ['bilateral', 'regional', 'foreign', 'military', 'humanitarian', 'tense', 'historic', 'cautious'],
  },
};

const TOPIC_NAMES = Object.keys(TOPICS);
const FILLER = ['officials said', 'according to a statement', 'residents said', 'analysts said', 'the report said', 'a spokesperson said', 'local media reported', 'witnesses said'];
const WHEN = ['on Monday', 'on Tuesday', 'on Wednesday', 'on Thursday', 'on Friday', 'over the weekend', 'this week', 'last month', 'earlier this year', 'late on Sunday'];
const FUNCTION_WORDS = ['the', 'a', 'of', 'in', 'on', 'and', 'to', 'for', 'with', 'by', 'at', 'from', 'after', 'over', 'as', 'its', 'their', 'that', 'this', 'was', 'were', 'has', 'have', 'had', 'will', 'would', 'said', 'more', 'than', 'but', 'not', 'about', 'amid', 'before', 'while', 'into', 'new', 'percent', 'people', 'city', 'government', 'officials', 'residents', 'analysts', 'report', 'statement', 'spokesperson', 'local', 'media', 'reported', 'witnesses', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'weekend', 'week', 'last', 'month', 'earlier', 'year', 'late', 'sunday', 'what', 'did', 'say', 'is', 'latest', 'news', 'most', 'recent', 'plans', 'first', 'time', 'since', 'could', 'cost', 'million', 'dozens', 'hundreds', 'thousands', 'according', 'expected', 'despite', 'during', 'following'];
const ORG_KINDS = ['Ministry', 'Agency', 'Authority', 'Institute', 'Union', 'Commission', 'Board', 'Association', 'Group', 'Bank'];
const OUTLET_KINDS = ['Courier', 'Ledger', 'Herald', 'Gazette', 'Chronicle', 'Observer', 'Tribune', 'Post', 'Times', 'Review', 'Dispatch', 'Monitor', 'Journal', 'Bulletin', 'Standard', 'Sentinel', 'Record', 'Express'];
const SYLLABLES = ['val', 'dor', 'ken', 'mar', 'lin', 'tor', 'bra', 'sel', 'vik', 'an', 'hol', 'rin', 'est', 'ora', 'gal', 'ten', 'mor', 'sha', 'kel', 'dun', 'ber', 'ios', 'lam', 'nar', 'qua', 'fen', 'ull', 'ash', 'ward', 'by'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

function makeName(random: Random, syllables: number): string {
  let name = '';
  for (let i = 0; i < syllables; i++) name += pick(random, SYLLABLES);
  return name[0]!.toUpperCase() + name.slice(1);
}

function uniqueNames(random: Random, count: number, syllables: number, taken: Set<string>): string[] {
  const names: string[] = [];
  while (names.length < count) {
    const name = makeName(random, syllables + (random() < 0.3 ? 1 : 0));
    if (!taken.has(name.toLowerCase())) {
      taken.add(name.toLowerCase());
      names.push(name);
    }
  }
  return names;
}

interface World {
  places: string[];
  people: string[];
  orgs: string[];
  outlets: string[];
  /** Every lowercase word the generator can write: the cheap model's vocabulary. */
  words: string[];
}

function makeWorld(random: Random): World {
  const taken = new Set<string>();
  const places = uniqueNames(random, 400, 2, taken);
  const people = uniqueNames(random, 400, 2, taken);
  const orgs = Array.from({ length: 120 }, (_, i) => `${places[i * 3]} ${ORG_KINDS[i % ORG_KINDS.length]}`);
  const outlets = [...new Set(Array.from({ length: 60 }, (_, i) => `The ${places[399 - i]} ${OUTLET_KINDS[i % OUTLET_KINDS.length]}`))];
  const words = new Set<string>(FUNCTION_WORDS);
  for (const topic of Object.values(TOPICS)) for (const w of [...topic.nouns, ...topic.verbs, ...topic.adjectives]) words.add(w);
  for (const w of [...ORG_KINDS, ...OUTLET_KINDS, ...places, ...people, ...MONTH_NAMES]) words.add(w.toLowerCase());
  return { places, people, orgs, outlets, words: [...words] };
}

function capitalize(text: string): string {
  return text[0]!.toUpperCase() + text.slice(1);
}

function sentence(random: Random, world: World, topic: string): string {
  const t = TOPICS[topic]!;
  const noun = () => pickSkewed(random, t.nouns);
  const forms = [
    () => `the ${pick(random, t.adjectives)} ${noun()} in ${pick(random, world.places)} ${pick(random, t.verbs)} ${WHEN[Math.floor(random() * WHEN.length)]}, ${pick(random, FILLER)}`,
    () => `${pick(random, world.people)} of the ${pick(random, world.orgs)} said the ${noun()} ${pick(random, t.verbs)} after the ${noun()} in ${pick(random, world.places)}`,
    () => `${pick(random, world.orgs)} ${pick(random, t.verbs)} the ${pick(random, t.adjectives)} ${noun()} plans for ${pick(random, world.places)} ${pick(random, WHEN)}`,
    () => `${1 + Math.floor(random() * 90)} percent of the ${noun()} in ${pick(random, world.places)} ${pick(random, t.verbs)} amid the ${pick(random, t.adjectives)} ${noun()}, ${pick(random, FILLER)}`,
    () => `the ${noun()} and the ${noun()} ${pick(random, t.verbs)} for the first time since the ${pick(random, t.adjectives)} ${noun()} in ${pick(random, world.places)}`,
    () => `${pick(random, world.people)} told the ${pick(random, world.outlets).replace(/^The /, '')} that the ${noun()} could cost ${pick(random, world.places)} ${2 + Math.floor(random() * 900)} million`,
  ];
  let text = capitalize(pick(random, forms)());
  while (text.length < 80) text += `, ${pick(random, FILLER)} ${pick(random, WHEN)}`;
  if (text.length > 147) text = text.slice(0, text.lastIndexOf(' ', 147));
  return `${text.replace(/[,\s]+$/, '')}.`;
}

function headlineTitle(random: Random, world: World, topic: string): string {
  const t = TOPICS[topic]!;
  const title = `${capitalize(pick(random, t.adjectives))} ${pickSkewed(random, t.nouns)} in ${pick(random, world.places)} ${pick(random, t.verbs)} as ${pickSkewed(random, t.nouns)} ${pick(random, t.verbs)}`;
  return title.split(' ').map(capitalize).join(' ');
}

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2023, 5, 1);
const DAYS = 731;

function isoDay(random: Random): string {
  return new Date(FIRST_DAY + Math.floor(random() * DAYS) * DAY_MS).toISOString().slice(0, 10);
}

function ordinal(day: number): string {
  const suffix = day % 10 === 1 && day !== 11 ? 'st' : day % 10 === 2 && day !== 12 ? 'nd' : day % 10 === 3 && day !== 13 ? 'rd' : 'th';
  return `${day}${suffix}`;
}

/** `March 7th, 2025`: the clipping format's dates. */
export function longDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number) as [number, number, number];
  return `${MONTH_NAMES[m - 1]} ${ordinal(d)}, ${y}`;
}

function paragraphs(random: Random, world: World, topic: string, sentences: number): string {
  const out: string[] = [];
  let left = sentences;
  while (left > 0) {
    const n = Math.min(left, 1 + Math.floor(random() * 3));
    out.push(Array.from({ length: n }, () => sentence(random, world, topic)).join(' '));
    left -= n;
  }
  return out.join('\n\n');
}

export interface SyntheticCorpus {
  dir: string;
  files: number;
  articles: number;
  headlines: number;
  /** Exactly the chunks the default chunking makes of it. */
  chunks: number;
  outlets: string[];
  words: string[];
  /** Dated (outlet, ISO date) pairs that the corpus holds, for filter-only questions. */
  dated: Array<{ outlet: string; date: string }>;
  /** Topical questions and headline queries built from the same vocabulary. */
  questions: string[];
  headlineQueries: string[];
}

/** Writes about `targetChunks` chunks of synthetic news into `dir` (created). Same seed, same files. */
export async function writeNewsCorpus(dir: string, targetChunks: number, seed = 9): Promise<SyntheticCorpus> {
  const random = seededRandom(seed);
  const world = makeWorld(random);
  await mkdir(dir, { recursive: true });
  const result: SyntheticCorpus = { dir, files: 0, articles: 0, headlines: 0, chunks: 0, outlets: world.outlets, words: world.words, dated: [], questions: [], headlineQueries: [] };
  const writes: Array<Promise<void>> = [];
  while (result.chunks < targetChunks) {
    const topic = pick(random, TOPIC_NAMES);
    const outlet = pickSkewed(random, world.outlets);
    const date = isoDay(random);
    const n = 3 + Math.floor(random() * 10);
    const title = headlineTitle(random, world, topic);
    const name = `${String(result.files).padStart(6, '0')}`;
    if (random() < 0.2) {
      const headlines = 10 + Math.floor(random() * 30);
      const lines = [`${title} – ${outlet}`, paragraphs(random, world, topic, n), 'See the article here:', `https://news.example/${name}`];
      for (let i = 0; i < headlines; i++) {
        const hOutlet = pickSkewed(random, world.outlets);
        const hDate = new Date(Date.parse(date) - Math.floor(random() * 20) * DAY_MS).toISOString().slice(0, 10);
        const when = longDate(hDate);
        lines.push(`- ${headlineTitle(random, world, random() < 0.6 ? topic : pick(random, TOPIC_NAMES))} - ${hOutlet} - ${when} [${when}]`);
        if (result.dated.length < 400 && random() < 0.05) result.dated.push({ outlet: hOutlet, date: hDate });
      }
      writes.push(writeFile(join(dir, `${name}-clipping.txt`), `${lines.join('\n')}\n`));
      result.headlines += headlines;
      result.chunks += n + headlines;
    } else {
      const front = ['---', `title: ${title}`, `outlet: ${outlet}`, `date: ${date}`, `url: https://news.example/${name}`, '---'];
      writes.push(writeFile(join(dir, `${name}-article.md`), `${front.join('\n')}\n${paragraphs(random, world, topic, n)}\n`));
      result.chunks += n;
      if (result.dated.length < 400 && random() < 0.1) result.dated.push({ outlet, date });
    }
    result.articles++;
    result.files++;
    if (writes.length >= 256) await Promise.all(writes.splice(0));
  }
  await Promise.all(writes);
  for (let i = 0; i < 40; i++) {
    const topic = TOPICS[pick(random, TOPIC_NAMES)]!;
    result.questions.push(`What did the ${pick(random, world.orgs)} say about the ${pickSkewed(random, topic.nouns)} ${pickSkewed(random, topic.nouns)} in ${pick(random, world.places)}?`);
    result.headlineQueries.push(`${pickSkewed(random, topic.nouns)} ${pick(random, world.places)}`);
  }
  return result;
}

/** Every lowercase word the corpus of this seed can hold: the cheap model's vocabulary. */
export function newsVocabulary(seed = 9): string[] {
  return makeWorld(seededRandom(seed)).words;
}

/** One more article, for "add one document, then re-index". */
export async function writeExtraArticle(dir: string, corpus: SyntheticCorpus, seed = 99): Promise<string> {
  const random = seededRandom(seed);
  const world = makeWorld(seededRandom(9));
  const file = join(dir, 'zzz-added-article.md');
  const front = ['---', 'title: An added article', `outlet: ${corpus.outlets[0]}`, 'date: 2025-05-31', '---'];
  await writeFile(file, `${front.join('\n')}\n${paragraphs(random, world, 'economy', 8)}\n`);
  return file;
}
