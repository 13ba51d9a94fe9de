/**
 * Scores answers to coverage probes (eval/probes-coverage.jsonl): a coverage question is right
 * when it is detected and names exactly the expected outlets (and count, when given); an ordinary
 * question is right when it is not turned into a count. Pure.
 */
import type { Answer } from '../index/types.js';

export interface CoverageProbe {
  q: string;
  coverage: boolean;
  outlets?: string[];
  documents?: number;
}

export interface ProbeResult {
  q: string;
  coverage: boolean;
  correct: boolean;
  /** Why it is wrong: the detection, the missing and the extra outlets, the count. */
  why: string[];
}

export function parseProbes(text: string): CoverageProbe[] {
  return text
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as CoverageProbe);
}

export function scoreProbe(probe: CoverageProbe, answer: Answer): ProbeResult {
  const why: string[] = [];
  if (!probe.coverage) {
    if (answer.coverage) why.push(`turned into a ${answer.coverage.kind} question`);
    return { q: probe.q, coverage: false, correct: why.length === 0, why };
  }
  if (!answer.coverage) return { q: probe.q, coverage: true, correct: false, why: ['not detected'] };
  const named = new Set(answer.coverage.outlets.map((o) => o.outlet).filter((o): o is string => o !== null));
  const expected = new Set(probe.outlets ?? []);
  const missing = [...expected].filter((o) => !named.has(o));
  const extra = [...named].filter((o) => !expected.has(o));
  if (missing.length > 0) why.push(`missing ${missing.join(', ')}`);
  if (extra.length > 0) why.push(`extra ${extra.join(', ')}`);
  if (probe.documents !== undefined && probe.documents !== answer.coverage.documents) {
    why.push(`${answer.coverage.documents} documents, expected ${probe.documents}`);
  }
  return { q: probe.q, coverage: true, correct: why.length === 0, why };
}

/** `coverage questions 9/12 right, ordinary questions 12/12 left alone`. */
export function summarize(results: ProbeResult[]): string {
  const part = (coverage: boolean) => results.filter((r) => r.coverage === coverage);
  const right = (list: ProbeResult[]) => list.filter((r) => r.correct).length;
  const asked = part(true);
  const ordinary = part(false);
  return `coverage questions ${right(asked)}/${asked.length} right, ordinary questions ${right(ordinary)}/${ordinary.length} left alone`;
}
