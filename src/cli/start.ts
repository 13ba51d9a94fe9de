/**
 * `npm start`: the Discord bot when DISCORD_TOKEN is set, otherwise an interactive console on the
 * same engine. Both pick up a new index (from `npm run reindex`) on their own, and on SIGHUP.
 */
import { clearLine, createInterface, cursorTo } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { startBot, type Bot } from '../bot/bot.js';
import { feedPollerFromConfig } from '../feeds/setup.js';
import { structuredLog } from '../bot/log.js';
import { withPostgres, type Config } from '../config.js';
import { describeError, isNewsdeskError, userMessage } from '../errors.js';
import type { Engine } from '../index/types.js';
import { watchIndex } from '../index/watch.js';
import { formatAnswerText, formatTimelineText } from '../present.js';
import { engineFromConfig, log, log as baseLog, parseCli, readConfig, runMain } from './common.js';
import { startHealthServer, type Health, type HealthServer } from './health.js';
import { claimProcessErrors, handleSignals, watchParent } from './lifecycle.js';
import { runShardManager } from './shard-manager.js';
import { tagShard } from './shards.js';

const HELP = `
Usage: npm start [-- --help]

With DISCORD_TOKEN set (in .env or the environment): runs the Discord bot. Register its slash
commands first with \`npm run deploy-commands\`. Logs are JSON lines on stderr.

Without DISCORD_TOKEN: an interactive console on the same index. Type a question, get quoted
passages with their sources; a follow-up ("who reported it?") is read against the session's
earlier questions, and \`/new\` starts a new conversation; \`/timeline <topic>\` lists the
topic's passages day by day. \`exit\` or Ctrl-D leaves. With stdin not a terminal, it answers
each line and exits, e.g.
  echo "What is the Zangezur corridor?" | npm start

Either way the index is built on first use, and a new one written by \`npm run reindex\` is picked
up within seconds (or at once on SIGHUP). SIGINT/SIGTERM stop after replies in flight are sent
(exit 0). A configuration Discord refuses (bad token, intent not enabled) exits 78. With
HEALTH_PORT set, GET http://127.0.0.1:HEALTH_PORT/healthz reports the gateway and the index.
With SHARDS=auto or SHARDS=N (and DISCORD_TOKEN): runs discord.js's ShardingManager, one bot
process per shard; this process then stops them all on SIGINT/SIGTERM and serves HEALTH_PORT.
See docs/deploy.md.

Options:
  -h, --help  show this help
`;

export interface ConsoleOptions {
  engine: Pick<Engine, 'ask'> & Partial<Pick<Engine, 'timeline'>>;
  input: NodeJS.ReadableStream;
  output: NodeJS.WritableStream;
  errors: NodeJS.WritableStream;
  /** A terminal: a prompt, a greeting, and `exit`. */
  interactive: boolean;
  /** Bold query terms with ANSI escapes. */
  color: boolean;
  k: number;
  /**
   * Receives the console's log printer once the prompt exists: a line logged while the prompt
   * waits (e.g. the watcher's reload) is printed above it, and the prompt with what was typed so
   * far is drawn again below.
   */
  attachLog?: (print: (line: string) => void) => void;
}

/** The line that forgets the session's earlier questions. */
export const NEW_CONVERSATION = '/new';
export const NEW_CONVERSATION_REPLY = 'New conversation: earlier questions are forgotten.';
/** How many earlier questions the console keeps; the engine reads the last few of them. */
const KEPT_QUESTIONS = 10;

/**
 * The console loop: one answer per line, each read against the session's earlier questions
 * (`/new` forgets them); errors print their message and the loop goes on.
 */
export async function runConsole(options: ConsoleOptions): Promise<void> {
  const { output, interactive } = options;
  const lines = createInterface({
    input: options.input,
    ...(interactive && { output, prompt: 'ask> ' }),
    crlfDelay: Infinity,
    terminal: interactive,
  });
  let prompting = false;
  options.attachLog?.((line) => {
    if (!prompting) return void options.errors.write(`${line}\n`);
    clearLine(output, 0);
    cursorTo(output, 0);
    options.errors.write(`${line}\n`);
    lines.prompt(true);
  });
  const prompt = () => {
    prompting = true;
    lines.prompt();
  };
  if (interactive) {
    output.write(`Ask a question about the corpus; follow-ups read the earlier ones, ${NEW_CONVERSATION} starts afresh. Type exit or press Ctrl-D to leave.\n`);
    prompt();
  }
  let history: string[] = [];
  for await (const line of lines) {
    prompting = false;
    const question = line.trim();
    if (interactive && (question === 'exit' || question === 'quit')) break;
    if (!question && !interactive) continue;
    if (question === NEW_CONVERSATION) {
      history = [];
      output.write(`${NEW_CONVERSATION_REPLY}\n\n`);
    } else if (question) {
      try {
        const timeline = TIMELINE_COMMAND.exec(question);
        if (timeline && options.engine.timeline) {
          const found = await options.engine.timeline({ topic: timeline[1] ?? '' });
          output.write(`${formatTimelineText(found, { color: options.color })}\n\n`);
        } else {
          const answer = await options.engine.ask(question, { k: options.k, history });
          history = [...history, answer.question].slice(-KEPT_QUESTIONS);
          output.write(`${formatAnswerText(answer, { color: options.color })}\n\n`);
        }
      } catch (error) {
        options.errors.write(`${userMessage(error)}\n`);
      }
    }
    if (interactive) prompt();
  }
  prompting = false;
  lines.close();
}

/** EX_CONFIG: a supervisor should not restart into the same mistake (systemd RestartPreventExitStatus). */
export const EXIT_CONFIG = 78;

/** `/timeline <topic>` in the console shows a timeline; any other line is a question. */
const TIMELINE_COMMAND = /^\/timeline(?:\s+(.*))?$/i;

async function main(): Promise<void> {
  parseCli(HELP, {});
  const config = readConfig();
  if (config.shards !== null) return runShardManager(config, { file: fileURLToPath(import.meta.url), exitConfig: EXIT_CONFIG });
  if (!config.discord.token) return runConsoleMode(config);

  // Everything from here logs JSON lines, the token redacted.
  // Under the sharding manager every shard writes to the same stderr: each line says which shard.
  const log = config.shardProcess ? tagShard(baseLog, config.shardProcess.id) : baseLog;
  const events = structuredLog(log, [config.discord.token]);
  claimProcessErrors(events);
  const exit = (code: number) => process.exit(code);
  const loginAborted = new AbortController();
  let engine: Engine | null = null;
  let bot: Bot | null = null;
  let health: HealthServer | null = null;
  let feeds: Awaited<ReturnType<typeof feedPollerFromConfig>> = null;
  const { shutdown } = handleSignals({
    log: events,
    exit,
    stop: async () => {
      loginAborted.abort();
      await feeds?.stop();
      await bot?.stop();
      await engine?.close();
      await health?.close();
    },
    reload: async () => {
      const changed = await (bot ? bot.reload() : (engine?.reload() ?? false));
      events({ event: 'reload', signal: 'SIGHUP', changed });
    },
  });
  if (process.env.npm_lifecycle_event) {
    watchParent({ ppid: () => process.ppid, onGone: (parent) => shutdown(`parent process ${parent} (npm) exited`) });
  }
  // A shard process outlives no manager: a SIGKILLed manager closes the IPC channel.
  // The listener must not keep a shard that failed to start alive: unref the channel.
  if (config.shardProcess) {
    process.once('disconnect', () => shutdown('sharding manager exited'));
    process.channel?.unref();
  }
  if (config.healthPort !== null) {
    health = await startHealthServer(config.healthPort, () => healthOf(bot, engine));
    events({ event: 'health', url: `http://127.0.0.1:${health.port}/healthz` });
  }

  try {
    const opening = performance.now();
    engine = await engineFromConfig(config, log);
    const ready = engine;
    logIndexLoad(events, ready, opening);
    // One poller writes corpus/feeds/ and re-indexes; the other shards' watchers pick it up.
    feeds = (config.shardProcess?.id ?? 0) === 0 ? await feedPollerFromConfig(config, () => ready.reindex(), log) : null;
    bot = await startBot({
      config,
      engine,
      log,
      feeds,
      signal: loginAborted.signal,
      onFatal: (error) => {
        fatal(events, error);
        void bot?.stop().finally(() => exit(EXIT_CONFIG));
      },
    });
    feeds?.start();
  } catch (error) {
    if (loginAborted.signal.aborted) return; // a stop signal during start-up: shutdown exits
    fatal(events, error);
    exit(isNewsdeskError(error, 'CONFIG_INVALID') ? EXIT_CONFIG : 1);
  }
}

/**
 * How long the index took to load, and when its vector index (the HNSW graph, read after the
 * engine opens) took over from the exact scan that answers questions until then.
 */
function logIndexLoad(events: (fields: Record<string, unknown>) => void, engine: Engine, since: number): void {
  const ms = () => Math.round(performance.now() - since);
  events({ event: 'index', documents: engine.about().documents, ms: ms() });
  // A graph that cannot be read is logged by the engine (questions stay on the exact scan).
  engine.indexed?.().then(
    () => events({ event: 'index-graph', ms: ms() }),
    () => {},
  );
}

function healthOf(bot: Bot | null, engine: Engine | null): Health {
  const about = engine?.about();
  return {
    gateway: bot ? (bot.connected() ? 'connected' : 'disconnected') : 'connecting',
    index: about ? { builtAt: about.builtAt, documents: about.documents } : null,
  };
}

/** One line an operator can act on: what is wrong and what to do. */
function fatal(events: (fields: Record<string, unknown>) => void, error: unknown): void {
  const message = isNewsdeskError(error) ? (error.detail ?? error.message).replace(/^- /, '') : describeError(error);
  events({ event: 'fatal', code: isNewsdeskError(error) ? error.code : 'INTERNAL', error: message });
}

async function runConsoleMode(config: Config): Promise<void> {
  // Log lines go through `print`, which the console swaps for one that redraws its prompt.
  let print: (line: string) => void = log;
  claimProcessErrors((fields) => print(JSON.stringify(fields)));
  const engine = await engineFromConfig(config, (line) => print(line));
  log('console: no DISCORD_TOKEN set, so no bot; answering here instead');
  const watcher = await watchIndex({ dataDir: config.dataDir, engine, log: (fields) => print(JSON.stringify(fields)), ...withPostgres(config) });
  process.on('SIGHUP', () => void watcher.reloadNow());
  await runConsole({
    engine,
    input: process.stdin,
    output: process.stdout,
    errors: process.stderr,
    interactive: !!process.stdin.isTTY,
    color: !!process.stdout.isTTY,
    k: config.answerK,
    attachLog: (printer) => (print = printer),
  });
  watcher.close();
  await engine.close();
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntry) runMain(main);
