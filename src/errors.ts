/**
 * Every error a user or operator can see carries a code. Each code maps to one message that says
 * what to do; `detail` adds the specifics (a variable name, a file, a limit).
 */
export const ERROR_MESSAGES = {
  CONFIG_INVALID: 'The configuration is invalid. Fix the variables listed below in .env (see .env.example).',
  CORPUS_EMPTY: 'The corpus has no documents. Put .txt or .md files in the corpus directory, then run `npm run reindex`.',
  CORPUS_PROBLEMS: 'Some corpus files or lines could not be read (listed below), and --strict was given, so nothing was built. Fix them, or re-index without --strict to skip them.',
  INDEX_MISSING: 'There is no index yet. Run `npm run reindex` to build it.',
  INDEX_MISMATCH: 'The index was built differently from what this version expects. Run `npm run reindex` to rebuild it.',
  INDEX_CORRUPT: 'The index files are damaged or incomplete. Run `npm run reindex` to rebuild them.',
  EMBEDDER_UNAVAILABLE: 'The embedding model could not be loaded. Check EMBEDDER and MODELS_DIR, or use EMBEDDER=use, which works offline.',
  QUESTION_EMPTY: 'Ask a question: the text was empty.',
  QUESTION_NO_WORDS: 'Ask a question in words: that had no letters or digits to search for.',
  QUESTION_TOO_LONG: 'That question is too long. Keep it under 500 characters.',
  BAD_DATE: 'Dates must be written YYYY-MM-DD, for example 2025-03-07.',
  BAD_RANGE: 'The start date is after the end date.',
  UNKNOWN_DOCUMENT: 'There is no document with that id. Use the ids shown in answers or /headlines.',
  RATE_LIMITED: 'You are asking too quickly. Try again in a moment.',
  FORBIDDEN: 'You need the Manage Server permission to do that.',
  REINDEX_BUSY: 'A re-index is already running. Wait for it to finish.',
  NOT_OWNER: 'Only the person who ran the command can use these buttons.',
  EXPIRED: 'These buttons have expired. Run the command again.',
  FEED_UNREACHABLE: 'A feed or page could not be fetched. Check its URL and that the site is up; the other feeds went on.',
  FEEDS_LOCKED: 'Another process (the bot\'s poller or another `npm run ingest`) kept the feed store locked too long. Try again in a minute; a lock left by a process that died is taken over after 10 seconds.',
  FEED_INVALID: 'A feed is not valid RSS, Atom or JSON Feed. Check that the URL points at the feed itself, not at a web page.',
  BAD_USAGE: 'The command line is not valid. Run it with --help to see the options.',
  BAD_JSON_LINE: 'A line that starts with { must be a JSON object: {"question": "…", "history"?: ["earlier question", …]}.',
  EVAL_FILE_INVALID: 'A questions file could not be read. Fix the file or line named below: each line is {"q": "…", "gold": ["…"], "history"?: ["…"], "unanswerable"?: true}.',
  PG_UNREACHABLE: 'The PostgreSQL server at DATABASE_URL could not be reached. Check DATABASE_URL (host, port, database, user, password) and that the server is running.',
  PG_VECTOR_MISSING: 'The PostgreSQL server lacks the pgvector extension (version 0.5 or later, for HNSW indexes). Install pgvector on the server, then run `CREATE EXTENSION vector;` in the database as a superuser (or `ALTER EXTENSION vector UPDATE;` for an older one), then `npm run migrate`.',
  PG_SCHEMA_NEWER: 'The database schema is newer than this version of Newsdesk. Upgrade Newsdesk, or point DATABASE_URL at another database.',
  SHARD_START_FAILED: 'A shard process stopped before it was ready, so all shards were stopped. Its own log lines (they carry "shard") say why: fix that, then start again.',
  INTERNAL: 'Something went wrong on our side. The error was logged; try again.',
} as const;

export type ErrorCode = keyof typeof ERROR_MESSAGES;

export class NewsdeskError extends Error {
  readonly code: ErrorCode;
  readonly detail: string | undefined;

  constructor(code: ErrorCode, detail?: string, options?: { cause?: unknown }) {
    super(detail ? `${ERROR_MESSAGES[code]}\n${detail}` : ERROR_MESSAGES[code], options);
    this.name = 'NewsdeskError';
    this.code = code;
    this.detail = detail;
  }
}

export function isNewsdeskError(error: unknown, code?: ErrorCode): error is NewsdeskError {
  return error instanceof NewsdeskError && (code === undefined || error.code === code);
}

/** What a user is shown for any thrown value: known errors keep their message, others become INTERNAL. */
export function userMessage(error: unknown): string {
  return isNewsdeskError(error) ? error.message : ERROR_MESSAGES.INTERNAL;
}

/** An error for the log: name, code and message; never request bodies, URLs or tokens. */
export function describeError(error: unknown): string {
  if (error instanceof NewsdeskError) return `${error.code}: ${error.message}`;
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    const status = (error as { status?: unknown }).status;
    return [error.name, code !== undefined && `code ${String(code)}`, status !== undefined && `status ${String(status)}`, error.message]
      .filter(Boolean)
      .join(' ');
  }
  return String(error);
}
