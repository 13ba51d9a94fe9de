/**
 * Scores timelines against probes (eval/probes-timeline.jsonl): which gold passages a topic's
 * timeline found (recall), and how many of its passages are gold or related (precision). A
 * passage is named by the start of its text. Pure.
 */
import type { Timeline } from '../index/types.js';
import { timelinePassages } from '../index/timeline.js';

export interface TimelineProbe {
  topic: string;
  /** Passages the timeline must show, each by the start of its text. */
  gold: string[];
  /** Passages it may show without counting against it. */
  related?: string[];
}

export interface TimelineResult {
  topic: string;
  found: number;
  gold: number;
  shown: number;
  /** Shown passages that are gold or related. */
  relevant: number;
  missing: string[];
  extra: string[];
}

export function parseTimelineProbes(text: string): TimelineProbe[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as TimelineProbe);
}

export function scoreTimeline(probe: TimelineProbe, timeline: Timeline): TimelineResult {
  const texts = timelinePassages(timeline).map((p) => p.text.trim());
  const shows = (start: string) => texts.some((t) => t.startsWith(start));
  const known = [...probe.gold, ...(probe.related ?? [])];
  const extra = texts.filter((t) => !known.some((start) => t.startsWith(start)));
  const missing = probe.gold.filter((g) => !shows(g));
  return { topic: probe.topic, found: probe.gold.length - missing.length, gold: probe.gold.length, shown: texts.length, relevant: texts.length - extra.length, missing, extra };
}

/** `gold found 10/23 (recall 0.43), 12/14 shown relevant (precision 0.86)`, over all probes. */
export function summarizeTimelines(results: TimelineResult[]): string {
  const sum = (pick: (r: TimelineResult) => number) => results.reduce((n, r) => n + pick(r), 0);
  const [found, gold, relevant, shown] = [sum((r) => r.found), sum((r) => r.gold), sum((r) => r.relevant), sum((r) => r.shown)];
  const ratio = (a: number, b: number) => (b === 0 ? '-' : (a / b).toFixed(2));
  return `gold found ${found}/${gold} (recall ${ratio(found, gold)}), ${relevant}/${shown} shown relevant (precision ${ratio(relevant, shown)})`;
}
