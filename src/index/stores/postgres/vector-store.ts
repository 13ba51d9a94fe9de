import { toSql } from 'pgvector';
import type { ChunkFilter } from '../../query.js';
import type { VectorHit, VectorStore } from '../../vector-store.js';
import { inTransaction, withClient, type PoolClient } from './connect.js';
import { VISIBLE, type Database } from './builds.js';

export type { ChunkFilter, VectorHit };

/** pgvector's ef_search per query: at least this, and at least k. */
const MIN_EF = 64;
const MAX_EF = 1000;

/** WHERE clauses for `filter`, numbered after the parameters already in `params`. */
export function filterClauses(filter: ChunkFilter | undefined, params: unknown[]): string {
  const clauses: string[] = [];
  if (filter?.outlet) clauses.push(`lower(outlet) = lower($${params.push(filter.outlet)})`);
  if (filter?.from) clauses.push(`date >= $${params.push(filter.from)}`);
  if (filter?.to) clauses.push(`date <= $${params.push(filter.to)}`);
  return clauses.map((clause) => ` AND ${clause}`).join('');
}

/**
 * The dense half of a published build in PostgreSQL: cosine top-k through the HNSW index, and
 * stored vectors by chunk id. Bound to one build, as a loaded snapshot is, and read-only: a build's
 * rows are written by writeBuild (builds.ts) with each chunk's text, terms and document.
 */
export class PostgresVectorStore implements VectorStore {
  private iterative: Promise<boolean> | null = null;

  constructor(
    private readonly db: Database,
    readonly build: string,
    readonly dimensions: number,
  ) {}

  async count(): Promise<number> {
    return withClient(this.db.pool, this.db.url, async (client) => {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM chunks WHERE ${VISIBLE}`, [this.build]);
      return Number(rows[0]!.n);
    });
  }

  /** Best first; score is cosine similarity. ef_search is set for this query only (SET LOCAL). */
  async search(query: Float32Array, k: number, filter?: ChunkFilter): Promise<VectorHit[]> {
    if (k <= 0) return [];
    const params: unknown[] = [this.build, toSql(Array.from(query)), k];
    const where = filterClauses(filter, params);
    return withClient(this.db.pool, this.db.url, (client) =>
      inTransaction(client, async () => {
        const ef = String(Math.min(MAX_EF, Math.max(MIN_EF, k)));
        // pgvector >= 0.8 keeps scanning the graph until k rows pass the WHERE clauses (the build's, a filter's).
        const iterative = (await this.iterativeScan(client)) ? ", set_config('hnsw.iterative_scan', 'strict_order', true)" : '';
        await client.query(`SELECT set_config('hnsw.ef_search', $1, true)${iterative}`, [ef]);
        const { rows } = await client.query<{ id: string; distance: number }>(
          `SELECT id, embedding <=> $2 AS distance FROM chunks WHERE ${VISIBLE}${where} ORDER BY embedding <=> $2 LIMIT $3`,
          params,
        );
        return rows.map((row) => ({ id: row.id, score: 1 - row.distance }));
      }),
    );
  }

  /** Stored unit vectors, in the order of `ids`; undefined for an id this build lacks. */
  async vectors(ids: readonly string[]): Promise<Array<Float32Array | undefined>> {
    if (ids.length === 0) return [];
    const rows = await withClient(this.db.pool, this.db.url, async (client) =>
      (await client.query<{ id: string; v: number[] }>(`SELECT id, embedding::real[] AS v FROM chunks WHERE ${VISIBLE} AND id = ANY($2)`, [this.build, ids])).rows,
    );
    const byId = new Map(rows.map((row) => [row.id, Float32Array.from(row.v)]));
    return ids.map((id) => byId.get(id));
  }

  private iterativeScan(client: PoolClient): Promise<boolean> {
    this.iterative ??= client
      .query<{ setting: string | null }>("SELECT current_setting('hnsw.iterative_scan', true) AS setting")
      .then(({ rows }) => rows[0]?.setting != null);
    return this.iterative;
  }
}
