/** A topic's passages as a timeline: day by day, oldest first. Pure. */
import type { Passage, Timeline, TimelineDay } from './types.js';

/**
 * Groups passages by their source's date: days oldest first, undated last, and within a day the
 * order they came in (most relevant first). The same passage twice is kept once.
 */
export function buildTimeline(topic: string, passages: Passage[]): Timeline {
  const byDay = new Map<string | null, Passage[]>();
  const seen = new Set<string>();
  for (const passage of passages) {
    const key = `${passage.source.id}:${passage.start}:${passage.end}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const date = passage.source.date;
    byDay.set(date, [...(byDay.get(date) ?? []), passage]);
  }
  const days: TimelineDay[] = [...byDay]
    .map(([date, list]) => ({ date, passages: list }))
    .sort((a, b) => (a.date === null ? 1 : b.date === null ? -1 : a.date.localeCompare(b.date)));
  return { topic, days, total: seen.size };
}

/** The timeline's passages in order, day after day. */
export function timelinePassages(timeline: Timeline): Passage[] {
  return timeline.days.flatMap((day) => day.passages);
}

/**
 * The topic of a timeline request written as a question: "How did the X story develop?" and
 * "the timeline of X" become X, since words like "develop" would otherwise count as the topic's.
 */
export function timelineTopic(text: string): string {
  const t = text.trim().replace(/\s+/g, ' ').replace(/[?.!]+$/, '');
  const forms = [
    /^how\s+(?:did|has|have|does|do)\s+(?:the\s+)?(.+?)(?:\s+(?:story|stories|coverage|news))?\s+(?:develop(?:ed)?|unfold(?:ed)?|evolve(?:d)?|change(?:d)?|progress(?:ed)?)(?:\s+over\s+time)?$/i,
    /^(?:the\s+)?(?:timeline|chronology|history)\s+of\s+(?:the\s+)?(.+)$/i,
  ];
  for (const re of forms) {
    const match = re.exec(t);
    if (match?.[1]) return match[1].replace(/\s+(?:story|stories)$/i, '');
  }
  return t;
}
