import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { CHART_HEIGHT, CHART_WIDTH, renderStatsPng } from '../../src/chart/png.js';
import { readCorpus } from '../../src/index/corpus.js';
import { headlineStats, OTHERS, statsLines } from '../../src/index/stats.js';
import { seedWorkspace } from '../support/seed.js';

/** Variance of the pixels' grey levels: 0 for a blank picture. */
function greyVariance(png: PNG): number {
  const greys: number[] = [];
  for (let i = 0; i < png.data.length; i += 4) greys.push((png.data[i]! + png.data[i + 1]! + png.data[i + 2]!) / 3);
  const mean = greys.reduce((a, b) => a + b, 0) / greys.length;
  return greys.reduce((a, b) => a + (b - mean) ** 2, 0) / greys.length;
}

async function seedStats() {
  const ws = await seedWorkspace();
  try {
    return headlineStats((await readCorpus(ws.corpusDir)).documents);
  } finally {
    await ws.cleanup();
  }
}

describe('the headline chart', () => {
  it('counts the seed corpus exactly, per day and top outlet', async () => {
    expect(statsLines(await seedStats())).toEqual([
      '80 headlines on 4 days.',
      `2025-02-11: 23 (The Times of Israel 3, Newsweek 2, Iran International 2, The Jerusalem Post 2, Reuters 1, ${OTHERS} 13)`,
      `2025-02-25: 4 (Iran International 1, ${OTHERS} 3)`,
      `2025-03-07: 30 (Reuters 5, Newsweek 4, Iran International 1, The Times of Israel 1, The Jerusalem Post 1, ${OTHERS} 18)`,
      `2025-03-11: 23 (Reuters 4, Iran International 1, The Times of Israel 1, The Jerusalem Post 1, ${OTHERS} 16)`,
    ]);
  });

  it('draws a PNG that decodes, has the chart size, opaque white corners and is not blank', async () => {
    const png = PNG.sync.read(renderStatsPng(await seedStats(), { title: 'Headlines per day', othersLabel: OTHERS }));
    expect([png.width, png.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    expect([...png.data.subarray(0, 4)]).toEqual([255, 255, 255, 255]);
    expect(greyVariance(png)).toBeGreaterThan(100);
  });

  it('draws an empty chart (no days) without failing, still not blank (title and axes)', () => {
    const empty = { days: [], series: [], totals: [], total: 0, undated: 0 };
    const png = PNG.sync.read(renderStatsPng(empty, { title: 'Headlines per day · “nothing”', width: 400, height: 200 }));
    expect([png.width, png.height]).toEqual([400, 200]);
    expect(greyVariance(png)).toBeGreaterThan(0);
  });
});
