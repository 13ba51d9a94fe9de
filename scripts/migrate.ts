import { log, parseCli, readConfig, runMain } from '../src/cli/common.js';
import { NewsdeskError } from '../src/errors.js';
import { createPool } from '../src/index/stores/postgres/connect.js';
import { migrate } from '../src/index/stores/postgres/migrate.js';

const HELP = `
Usage: npm run migrate

Creates or updates the PostgreSQL schema at DATABASE_URL: the tables builds, current_build,
documents and chunks, the GIN index on chunks.tsv, and the BM25 index when pg_textsearch is
installed. It creates the vector extension when the server has pgvector and the user may;
pgvector 0.5 or later is required (HNSW). The HNSW index on chunks.embedding is created by the
first re-index, which knows the embedder's dimension. Safe to run again and from several
machines at once: it applies only the versions the database lacks. npm run reindex runs it too.

Options:
  -h, --help  show this help

Settings (.env): DATABASE_URL (required), STORE=postgres to use it.
`;

runMain(async () => {
  parseCli(HELP, {});
  const config = readConfig();
  const url = config.store.databaseUrl;
  if (!url) throw new NewsdeskError('CONFIG_INVALID', '- DATABASE_URL: required by npm run migrate (postgres://USER:PASSWORD@HOST:5432/DATABASE).');
  const pool = createPool({ url, log });
  try {
    const result = await migrate(pool, url, log);
    const change = result.from === result.to ? `already at schema version ${result.to}` : `schema version ${result.from} -> ${result.to}`;
    process.stdout.write(`migrate: ${change}; pgvector ${result.vectorVersion}; lexical ranking: ${result.textsearch ? 'BM25 (pg_textsearch)' : 'ts_rank_cd (full-text search)'}\n`);
  } finally {
    await pool.end();
  }
});
