// What a bench module gives `npm run bench` (scripts/bench/run.ts), and small helpers for writing one.

export type BenchRow = {
  name: string;
  unit: string;
  /** What we measured for Relaydesk. */
  value: number;
  /** The same work done by the reference we compare with, in the same run. */
  baseline: number;
  /** value / baseline. */
  ratio: number;
};

export type Bench = {
  name: string;
  /** The ratio a row should stay at or under; printed next to it. */
  maxRatio?: number;
  run: () => Promise<BenchRow[]>;
};

export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function row(name: string, unit: string, value: number, baseline: number): BenchRow {
  const round = (n: number) => Math.round(n * 100) / 100;
  return { name, unit, value: round(value), baseline: round(baseline), ratio: round(value / baseline) };
}
