import { withClient } from './connect.js';
import { VISIBLE, type Database } from './builds.js';
import { filterClauses, type ChunkFilter, type VectorHit } from './vector-store.js';

export interface WeightedTerm {
  /** A normalized term, as stored in chunks.terms. */
  term: string;
  weight: number;
}

export interface LexicalOptions {
  /** pg_textsearch is installed: BM25 through its `<@>` operator. */
  bm25: boolean;
  /** For the ts_rank_cd fallback, which has no IDF of its own: the term's inverse document frequency. */
  idf: (term: string) => number;
  filter?: ChunkFilter;
}

/** BM25 ranks a few more candidates than asked, since build and WHERE filters apply after its index scan. */
const BM25_CANDIDATES = 3;

/**
 * The lexical top-k of a build, from the database: each term's score scaled by its weight
 * (expansions weigh less than the question's own words), best first.
 */
export async function lexicalSearch(db: Database, build: string, terms: WeightedTerm[], k: number, options: LexicalOptions): Promise<VectorHit[]> {
  const weights = new Map<string, number>();
  for (const { term, weight } of terms) if (term) weights.set(term, Math.max(weight, weights.get(term) ?? 0));
  if (weights.size === 0 || k <= 0) return [];
  const words = [...weights.keys()];
  const params: unknown[] = [build, words, k];
  const sql = options.bm25 ? bm25Sql(params, words.map((w) => weights.get(w)!), options.filter) : rankSql(params, words.map((w) => weights.get(w)! * options.idf(w)), options.filter);
  const rows = await withClient(db.pool, db.url, async (client) => (await client.query<{ id: string; score: number }>(sql, params)).rows);
  return rows.map((row) => ({ id: row.id, score: Number(row.score) }));
}

/** Candidates from the BM25 index over all terms, then scored as the weighted sum of each term's BM25. */
function bm25Sql(params: unknown[], weights: number[], filter: ChunkFilter | undefined): string {
  const w = `$${params.push(weights)}`;
  const all = `$${params.push((params[1] as string[]).join(' '))}`;
  const candidates = `$${params.push(Number(params[2]) * BM25_CANDIDATES)}`;
  const where = filterClauses(filter, params);
  // `<@>` is a negated BM25 score (lower is better), so the index can order by it ascending.
  return `
    WITH q AS (SELECT term, weight FROM unnest($2::text[], ${w}::float8[]) AS t (term, weight)),
    candidates AS (
      SELECT row_id FROM chunks WHERE ${VISIBLE}${where}
      ORDER BY terms <@> to_bm25query(${all}, 'chunks_bm25') LIMIT ${candidates}
    )
    SELECT c.id, sum(-q.weight * (c.terms <@> to_bm25query(q.term, 'chunks_bm25'))) AS score
    FROM chunks c JOIN candidates USING (row_id) CROSS JOIN q
    GROUP BY c.id ORDER BY score DESC, c.id LIMIT $3`;
}

/** PostgreSQL's own full-text search: chunks matching any term (GIN), ranked by weighted ts_rank_cd. */
function rankSql(params: unknown[], weights: number[], filter: ChunkFilter | undefined): string {
  const w = `$${params.push(weights)}`;
  const where = filterClauses(filter, params);
  return `
    WITH q AS (SELECT weight, websearch_to_tsquery('simple', term) AS query FROM unnest($2::text[], ${w}::float8[]) AS t (term, weight))
    SELECT c.id, sum(q.weight * ts_rank_cd(c.tsv, q.query)) AS score
    FROM chunks c JOIN q ON c.tsv @@ q.query
    WHERE ${VISIBLE.replaceAll('added_build', 'c.added_build').replaceAll('removed_build', 'c.removed_build')}${where}
    GROUP BY c.id ORDER BY score DESC, c.id LIMIT $3`;
}

/**
 * A build's lexical ranker in the database, with the in-process IDF that the refusal rule and
 * quote selection read per sentence (document frequencies of the build's chunk terms).
 */
export class PostgresLexical {
  private readonly frequency = new Map<string, number>();
  private readonly total: number;

  constructor(
    private readonly db: Database,
    private readonly build: string,
    chunkTerms: readonly string[][],
    private readonly bm25: boolean,
  ) {
    for (const terms of chunkTerms) for (const term of new Set(terms)) this.frequency.set(term, (this.frequency.get(term) ?? 0) + 1);
    this.total = chunkTerms.length;
  }

  /** As MiniSearch's BM25 weighs it; unseen terms get the highest value. */
  idf(term: string): number {
    const df = this.frequency.get(term) ?? 0;
    return Math.log(1 + (this.total - df + 0.5) / (df + 0.5));
  }

  /** Terms the build does not hold are left out: they cannot match and cost a query term. */
  searchTerms(terms: WeightedTerm[], k: number, filter?: ChunkFilter): Promise<VectorHit[]> {
    const known = terms.filter((t) => this.frequency.has(t.term));
    return lexicalSearch(this.db, this.build, known, k, { bm25: this.bm25, idf: (term) => this.idf(term), ...(filter && { filter }) });
  }
}
