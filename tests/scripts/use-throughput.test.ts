/**
 * The pure parts of `npm run bench -- --use-throughput N`: the chunks it embeds and the table it
 * prints (the measuring itself is timing, which no test asserts).
 */
import { describe, expect, it } from 'vitest';
import { formatUseThroughput, syntheticChunks, type UseThroughput } from '../../scripts/support/use-throughput.js';

describe('bench --use-throughput', () => {
  it('embeds exactly N distinct chunk texts of the synthetic news corpus, the same ones every run', async () => {
    const [chunks, again] = [await syntheticChunks(150), await syntheticChunks(150)];
    expect(chunks).toHaveLength(150);
    expect(new Set(chunks.map((c) => c.text)).size).toBe(150);
    expect(again.map((c) => c.text)).toEqual(chunks.map((c) => c.text));
  });

  it('prints per thread count the median of the rounds, the speed-up over in-process, cores, and load', () => {
    const run = (threads: number, chunksPerSecond: number, cores: number, runnable: number | null) => ({ threads, chunksPerSecond, cores, mainBusy: threads ? 0.01 : 1, runnable });
    const result: UseThroughput = {
      chunks: 2000,
      loadMs: new Map([[0, 3000], [2, 9000]]),
      runs: [run(0, 100, 1, null), run(2, 190, 2, 2.1), run(2, 170, 2, 2.3), run(0, 90, 0.9, null), run(0, 120, 1, null), run(2, 180, 2, 2.2)],
      loadBefore: [0.5, 1, 1.5],
      loadAfter: [2, 1.25, 1],
    };
    expect(formatUseThroughput(result)).toEqual([
      "USE throughput: 2000 distinct synthetic chunks through the indexer's embedding loop, 3 interleaved round(s)",
      'load average: 0.50 1.00 1.50 before, 2.00 1.25 1.00 after',
      '  in-process       100.0 chunks/s (1.00x in-process), rounds 100.0 / 90.0 / 120.0; 1.00 cores used, 100.0 chunks per CPU-second, main thread busy 100%; threads wanting a core n/a; load + warm-up 3.0 s',
      '  2 worker threads  180.0 chunks/s (1.80x in-process), rounds 190.0 / 170.0 / 180.0; 2.00 cores used, 90.0 chunks per CPU-second, main thread busy 1%; threads wanting a core 2.20; load + warm-up 9.0 s',
    ]);
  });
});
