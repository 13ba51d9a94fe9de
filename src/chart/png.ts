/**
 * Draws HeadlineStats as a stacked bar chart PNG: Chart.js on @napi-rs/canvas (Skia, prebuilt
 * from npm), so it renders in-process with no browser and no network.
 */
import { createCanvas } from '@napi-rs/canvas';
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, Title, type ChartItem, type Plugin } from 'chart.js';
import type { HeadlineStats } from '../index/stats.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Legend, Title);

export const CHART_WIDTH = 1000;
export const CHART_HEIGHT = 500;

/** Okabe–Ito: told apart with the common kinds of colour blindness; grey for the rest. */
const PALETTE = ['#0072B2', '#E69F00', '#009E73', '#CC79A7', '#56B4E9', '#D55E00', '#F0E442'];
const OTHERS_COLOR = '#9E9E9E';

/** Chart.js leaves the background transparent; a chat client's dark theme would hide the axes. */
const whiteBackground: Plugin<'bar'> = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

export interface ChartOptions {
  title: string;
  /** Name of the series that gathers the other outlets, drawn in grey. */
  othersLabel?: string;
  width?: number;
  height?: number;
}

/** The PNG bytes of the stacked chart: one bar per day, one colour per outlet. */
export function renderStatsPng(stats: HeadlineStats, options: ChartOptions): Buffer {
  const width = options.width ?? CHART_WIDTH;
  const height = options.height ?? CHART_HEIGHT;
  const canvas = createCanvas(width, height);
  const chart = new Chart(canvas.getContext('2d') as unknown as ChartItem, {
    type: 'bar',
    data: {
      labels: stats.days,
      datasets: stats.series.map((s, i) => ({
        label: s.outlet,
        data: s.counts,
        backgroundColor: s.outlet === options.othersLabel ? OTHERS_COLOR : PALETTE[i % PALETTE.length]!,
      })),
    },
    options: {
      responsive: false,
      animation: false,
      devicePixelRatio: 1,
      plugins: {
        title: { display: true, text: options.title, font: { size: 18 } },
        legend: { position: 'bottom' },
      },
      scales: {
        x: { stacked: true },
        y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'headlines' } },
      },
    },
    plugins: [whiteBackground],
  });
  try {
    return canvas.toBuffer('image/png');
  } finally {
    chart.destroy();
  }
}
