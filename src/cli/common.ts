import { parseArgs, type ParseArgsConfig } from 'node:util';
import { loadConfig, loadDotenv, type Config } from '../config.js';
import { isNewsdeskError, NewsdeskError } from '../errors.js';
import { openEngine, type EngineOptions } from '../index/engine.js';
import type { Engine } from '../index/types.js';
import { progressReporter } from './progress.js';

/** Logs go to stderr, so stdout carries only answers (and stays valid JSON with --json). */
export const log = (line: string) => process.stderr.write(`${line}\n`);

type Options = NonNullable<ParseArgsConfig['options']>;

/** Parses argv strictly; `--help` prints `help` and exits 0, a bad flag prints it and exits 2. */
export function parseCli<O extends Options>(help: string, options: O, argv = process.argv.slice(2)) {
  try {
    const parsed = parseArgs({ args: argv, options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
    if ((parsed.values as { help?: boolean }).help) {
      process.stdout.write(`${help.trim()}\n`);
      process.exit(0);
    }
    return parsed;
  } catch (error) {
    log(`${(error as Error).message}\n\n${help.trim()}`);
    process.exit(2);
  }
}

export function readConfig(): Config {
  loadDotenv();
  return loadConfig();
}

/** The engine's options as configured: logs and re-index progress on stderr. */
export function engineFromConfigOptions(config: Config, logLine: (line: string) => void = log): EngineOptions {
  return {
    corpusDir: config.corpusDir,
    dataDir: config.dataDir,
    embedder: { ...config.embedder, log: logLine },
    chunking: config.chunking,
    log: logLine,
    buildIfMissing: true,
    onProgress: progressReporter(),
    ...(config.store.kind === 'postgres' && config.store.databaseUrl && { postgres: { url: config.store.databaseUrl } }),
  };
}

/** The engine as configured, building the index on first use with progress on stderr. */
export async function engineFromConfig(config: Config, logLine: (line: string) => void = log): Promise<Engine> {
  return openEngine(engineFromConfigOptions(config, logLine));
}

/** Exit codes: 1 when something failed, 2 when the command line itself is wrong (as parseCli does). */
export const USAGE_EXIT = 2;

/** Runs a CLI entry point: known errors print their code and message and exit 1, usage errors 2. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => {
    if (isNewsdeskError(error)) log(`error ${error.code}: ${error.message}`);
    else log(`error INTERNAL: ${(error as Error)?.stack ?? String(error)}`);
    process.exitCode = isNewsdeskError(error, 'BAD_USAGE') ? USAGE_EXIT : 1;
  });
}

export function positiveInt(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new NewsdeskError('BAD_USAGE', `${name} takes a whole number of at least 1, not "${raw}".`);
  return value;
}
