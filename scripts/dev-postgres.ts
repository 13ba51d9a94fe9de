/**
 * `npx tsx scripts/dev-postgres.ts [--port N] [--no-textsearch]`: a throwaway PostgreSQL (PGlite,
 * in memory, with pgvector and pg_textsearch) on 127.0.0.1 for trying STORE=postgres without a
 * server. Prints the DATABASE_URL and serves until Ctrl-C; everything is gone when it stops.
 * --no-textsearch leaves pg_textsearch out, so lexical ranking falls back to ts_rank_cd.
 */
import { parseArgs } from 'node:util';
import { startPgliteServer } from '../tests/support/pglite-server.js';

const { values } = parseArgs({ options: { port: { type: 'string' }, 'no-textsearch': { type: 'boolean' } } });
const server = await startPgliteServer({ ...(values.port && { port: Number(values.port) }), textsearch: !values['no-textsearch'] });
process.stdout.write(`DATABASE_URL=${server.url}\n`);
const stop = () => void server.stop().then(() => process.exit(0));
process.on('SIGINT', stop).on('SIGTERM', stop);
