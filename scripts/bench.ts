import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { engineFromConfigOptions, log, parseCli, readConfig, runMain, positiveInt } from '../src/cli/common.js';
import { readQuestions } from '../src/eval/run.js';
import { chunkDocuments } from '../src/index/chunk.js';
import { readCorpus } from '../src/index/corpus.js';
import { createEmbedder } from '../src/index/embedder.js';
import { openEngine } from '../src/index/engine.js';
import { buildIndex } from '../src/index/indexer.js';
import { NewsdeskError } from '../src/errors.js';
import { measureBurst, measureDiscord } from './bench-discord.js';

const HELP = `
Usage: npm run bench [-- --questions FILE] [--repeat N]
       npm run bench -- --scale N[,N...] [--no-use] [--work-dir DIR]
       npm run bench -- --store postgres [--scale N] [--database-url URL]
       npm run bench -- --use-throughput N [--threads 0,1,2] [--rounds R]

Measures, on the configured corpus and embedder, in a temporary data directory (your data/
is not touched):
  - re-index time, cold (empty cache) and with nothing changed;
  - embedding throughput in chunks per second;
  - query-embedding time and full answer time, p50 and p99, over the questions;
  - index size on disk and the process's peak RSS;
  - the bot against a local fake Discord (127.0.0.1): login to ready, and /ask from the
    interaction to the edited answer, p50 and p99;
  - a burst: 200 /ask at once from 200 users: how many are acknowledged within 3 s and
    answered with a quote, the latencies, and the worst event-loop delay (EMBED_THREADS
    decides whether questions are embedded on worker threads).

With --scale, measures instead the engine on a synthetic news corpus of about N chunks per
size (e.g. --scale 1000,10000,100000), embedded by a cheap 512-dimension ONNX model through
transformers.js, each figure next to raw hnswlib + MiniSearch measured in the same run
(scripts/bench-scale.ts says what each row is). --no-use skips the USE throughput sample.

With --store postgres, measures the embedded store next to PostgreSQL with pgvector on one
synthetic corpus (--scale, default 10000 chunks): cold build, re-index after adding one document,
dense top-50 latency, sizes. The database is PGlite (WASM, in this process: an upper bound on a
real server's times) unless --database-url names a server, whose Newsdesk tables it writes.

With --use-throughput N, measures instead the Universal Sentence Encoder's embedding throughput
on N distinct chunks of the synthetic news corpus, through the indexer's embedding loop, with each
thread count of --threads (0: in-process; default 0,1,2 on two cores), interleaved over --rounds
rounds (default 3): chunks per second, cores used (process CPU over wall time), how busy the main
thread was, and the load average (other work on the machine skews every figure).

Options:
  --use-throughput N  the USE throughput comparison instead of the seed bench
  --threads T[,T...]  with --use-throughput: the thread counts to compare (default 0,1,<cores>)
  --rounds R          with --use-throughput: interleaved rounds (default 3)
  --store postgres  the store comparison instead of the seed bench
  --database-url U  with --store postgres: measure this server instead of PGlite
  --scale N[,N...]  scale run(s) instead of the seed bench
  --no-use          with --scale: skip measuring the Universal Sentence Encoder's throughput
  --work-dir DIR    with --scale: keep each size's corpus and cold build in DIR and reuse them
                    on later runs (a new one when the build format changes); default: a temp dir
  --questions FILE  JSONL questions (default: ../shared/eval/dev.jsonl)
  --repeat N        ask every question N times (default: 5)
  -h, --help        show this help
`;

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

async function directorySize(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

/** `1000,10000,100000` (or `10k`, `1e5`): positive whole numbers of chunks. */
function scaleSizes(text: string): number[] {
  return text.split(',').map((part) => {
    const n = Number(part.trim().replace(/k$/i, 'e3'));
    if (!Number.isInteger(n) || n < 1) throw new NewsdeskError('BAD_USAGE', `--scale: "${part}" is not a positive whole number of chunks.`);
    return n;
  });
}

/** `0,1,2`: thread counts, 0 meaning in-process. */
function threadCounts(text: string): number[] {
  return text.split(',').map((part) => {
    const n = Number(part.trim());
    if (!Number.isInteger(n) || n < 0 || n > 64) throw new NewsdeskError('BAD_USAGE', `--threads: "${part}" is not a thread count from 0 to 64.`);
    return n;
  });
}

const ms = (x: number) => `${x.toFixed(1)} ms`;

runMain(async () => {
  const { values } = parseCli(HELP, {
    questions: { type: 'string' },
    repeat: { type: 'string' },
    scale: { type: 'string' },
    'no-use': { type: 'boolean' },
    store: { type: 'string' },
    'database-url': { type: 'string' },
    'work-dir': { type: 'string' },
    'use-throughput': { type: 'string' },
    threads: { type: 'string' },
    rounds: { type: 'string' },
  });
  if (values['use-throughput'] !== undefined) {
    const { measureUseThroughput, formatUseThroughput } = await import('./support/use-throughput.js');
    const count = positiveInt('--use-throughput', values['use-throughput'], 2000);
    const threads = values.threads === undefined ? [0, 1, availableParallelism()] : threadCounts(values.threads);
    const result = await measureUseThroughput(count, [...new Set(threads)], positiveInt('--rounds', values.rounds, 3));
    return void process.stdout.write(`${formatUseThroughput(result).join('\n')}\n`);
  }
  if (values.store !== undefined) {
    if (values.store !== 'postgres') throw new NewsdeskError('BAD_USAGE', `--store: only "postgres" is compared with the embedded store, not "${values.store}".`);
    const { runStoreBench } = await import('./bench-store.js');
    const size = values.scale === undefined ? 10_000 : scaleSizes(values.scale)[0]!;
    return runStoreBench({ size, log, ...(values['database-url'] && { databaseUrl: values['database-url'] }) });
  }
  if (values.scale !== undefined) {
    const { runScaleBench } = await import('./bench-scale.js');
    return runScaleBench({ sizes: scaleSizes(values.scale), log, use: !values['no-use'], ...(values['work-dir'] && { workDir: resolve(values['work-dir']) }) });
  }
  const config = readConfig();
  const repeat = positiveInt('--repeat', values.repeat, 5);
  const questions = await readQuestions(values.questions ?? '../shared/eval/dev.jsonl');
  const dataDir = await mkdtemp(join(tmpdir(), 'newsdesk-bench-'));
  try {
    const options = { ...engineFromConfigOptions(config), dataDir, onProgress: () => {} };
    const embedder = await createEmbedder(options.embedder);
    const [cold, coldMs] = await timed(() => buildIndex({ ...options, embedder }));
    const [warm, warmMs] = await timed(() => buildIndex({ ...options, embedder }));
    const corpus = await readCorpus(config.corpusDir);
    const texts = chunkDocuments(corpus.documents, config.chunking).map((c) => c.text);
    const [, embedMs] = await timed(() => embedder.embed(texts));
    const engine = await openEngine({ ...options, log });
    const queryMs: number[] = [];
    const answerMs: number[] = [];
    for (let round = 0; round < repeat; round++) {
      for (const { q } of questions) {
        queryMs.push((await timed(() => embedder.embed([q])))[1]);
        answerMs.push((await timed(() => engine.ask(q)))[1]);
      }
    }
    const discord = await measureDiscord(engine, { dataDir, corpusDir: config.corpusDir }, questions.map((q) => q.q));
    const answerable = questions.filter((q) => !q.unanswerable).map((q) => q.q);
    const burst = await measureBurst(engine, { dataDir, corpusDir: config.corpusDir }, answerable.length > 0 ? answerable : questions.map((q) => q.q));
    const within3s = burst.ackMs.filter((x) => x <= 3000).length;
    const indexBytes = await directorySize(join(dataDir, 'index'));
    const lines = [
      `embedder:            ${embedder.id} (${embedder.dimensions} dims)`,
      `corpus:              ${cold.documents} documents, ${cold.chunks} chunks`,
      `reindex cold:        ${(coldMs / 1000).toFixed(2)} s (embedded ${cold.embedded})`,
      `reindex unchanged:   ${(warmMs / 1000).toFixed(2)} s (embedded ${warm.embedded}, cached ${warm.cached})`,
      `embedding:           ${((texts.length / embedMs) * 1000).toFixed(1)} chunks/s (${texts.length} chunks in ${ms(embedMs)}, ${config.embedder.threads || 'no'} worker thread(s))`,
      `query embedding:     p50 ${ms(percentile(queryMs, 50))}, p99 ${ms(percentile(queryMs, 99))} (${queryMs.length} queries)`,
      `full answer:         p50 ${ms(percentile(answerMs, 50))}, p99 ${ms(percentile(answerMs, 99))}`,
      `discord login:       p50 ${ms(percentile(discord.readyMs, 50))} to ready (${discord.readyMs.length} logins, fake Discord)`,
      `discord /ask:        p50 ${ms(percentile(discord.askMs, 50))}, p99 ${ms(percentile(discord.askMs, 99))} (interaction to edited answer)`,
      `discord burst:       ${burst.questions} /ask at once from ${burst.questions} users, EMBED_THREADS=${config.embedder.threads ?? 0}`,
      `  acknowledged:      ${within3s}/${burst.questions} within 3 s; p50 ${ms(percentile(burst.ackMs, 50))}, p99 ${ms(percentile(burst.ackMs, 99))}, max ${ms(Math.max(...burst.ackMs))}`,
      `  answered:          ${burst.quoted}/${burst.questions} with a quote; p50 ${ms(percentile(burst.answerMs, 50))}, p99 ${ms(percentile(burst.answerMs, 99))}, max ${ms(Math.max(...burst.answerMs))}`,
      `  event-loop delay:  max ${ms(burst.loopDelayMaxMs)}`,
      `index on disk:       ${(indexBytes / 1024).toFixed(0)} KiB`,
      `peak RSS:            ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MiB`,
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    await engine.close();
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
