/**
 * `npm start`: the Discord bot when DISCORD_TOKEN is set, otherwise an interactive console on the
 * same engine. Both pick up a new index (from `npm run reindex`) on their own, and on SIGHUP.
 */
import { clearLine, createInterface, cursorTo } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { startBot, type Bot } from '../bot/bot.js';
import { feedPollerFromConfig } from '../feeds/setup.js';
import { watchIndex } from '../index/watch.js';
import { userMessage } from '../errors.js';
import type { Engine } from '../index/types.js';
import { formatAnswerText } from '../present.js';
import { engineFromConfig, log, parseCli, readConfig, runMain } from './common.js';

const HELP = `
Usage: npm start [-- --help]

With DISCORD_TOKEN set (in .env or the environment): runs the Discord bot. Register its slash
commands first with \`npm run deploy-commands\`. Logs are JSON lines on stderr.

Without DISCORD_TOKEN: an interactive console on the same index. Type a question, get quoted
passages with their sources; \`exit\` or Ctrl-D leaves. With stdin not a terminal, it answers each
line and exits, e.g.  echo "What is the Zangezur corridor?" | npm start

Either way the index is built on first use, and a new one written by \`npm run reindex\` is picked
up within seconds (or at once on SIGHUP). SIGINT/SIGTERM stop after replies in flight are sent.

Options:
  -h, --help  show this help
`;

export interface ConsoleOptions {
  engine: Pick<Engine, 'ask'>;
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

/** The console loop: one answer per line; errors print their message and the loop goes on. */
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
    output.write('Ask a question about the corpus. Type exit or press Ctrl-D to leave.\n');
    prompt();
  }
  for await (const line of lines) {
    prompting = false;
    const question = line.trim();
    if (interactive && (question === 'exit' || question === 'quit')) break;
    if (!question && !interactive) continue;
    if (question) {
      try {
        const answer = await options.engine.ask(question, { k: options.k });
        output.write(`${formatAnswerText(answer, { color: options.color })}\n\n`);
      } catch (error) {
        options.errors.write(`${userMessage(error)}\n`);
      }
    }
    if (interactive) prompt();
  }
  prompting = false;
  lines.close();
}

async function main(): Promise<void> {
  parseCli(HELP, {});
  const config = readConfig();
  // Log lines go through `print`, which the console swaps for one that redraws its prompt.
  let print: (line: string) => void = log;
  const engine = await engineFromConfig(config, (line) => print(line));

  if (!config.discord.token) {
    log('console: no DISCORD_TOKEN set, so no bot; answering here instead');
    const watcher = await watchIndex({ dataDir: config.dataDir, engine, log: (fields) => print(JSON.stringify(fields)) });
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
    return;
  }

  const feeds = feedPollerFromConfig(config, () => engine.reindex(), log);
  const bot: Bot = await startBot({ config, engine, log, feeds });
  feeds?.start();
  process.on('SIGHUP', () => void bot.reload());
  let signals = 0;
  const shutdown = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      log(JSON.stringify({ event: 'shutdown', signal, forced: true }));
      process.exit(1);
    }
    log(JSON.stringify({ event: 'shutdown', signal }));
    void (async () => {
      try {
        await feeds?.stop();
        await bot.stop();
        await engine.close();
        process.exit(0);
      } catch (error) {
        log(JSON.stringify({ event: 'shutdown', ok: false, error: (error as Error)?.message ?? String(error) }));
        process.exit(1);
      }
    })();
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
  // A stray rejection must not take the bot down (Node 20 exits on unhandled rejections).
  process.on('unhandledRejection', (reason) => {
    log(JSON.stringify({ event: 'error', where: 'unhandledRejection', error: (reason as Error)?.message ?? String(reason) }));
  });
}

const isEntry = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isEntry) runMain(main);
