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
  /** The target for this row, printed beside it (not written to bench-results.json). */
  target?: Target;
};

/** ratio at most / at least a bound, or value (in the row's unit) under a bound. */
export type Target = { ratioAtMost: number } | { ratioAtLeast: number } | { valueUnder: number };

export function meets(row: BenchRow): string {
  const t = row.target;
  if (!t) return '';
  if ('ratioAtMost' in t) return row.ratio <= t.ratioAtMost ? `ok (≤ ${t.ratioAtMost}×)` : `NOT MET (≤ ${t.ratioAtMost}×)`;
  if ('ratioAtLeast' in t) return row.ratio >= t.ratioAtLeast ? `ok (≥ ${t.ratioAtLeast}×)` : `NOT MET (≥ ${t.ratioAtLeast}×)`;
  return row.value < t.valueUnder ? `ok (< ${t.valueUnder} ${row.unit})` : `NOT MET (< ${t.valueUnder} ${row.unit})`;
}

export type Bench = {
  name: string;
  run: () => Promise<BenchRow[]>;
};

export function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function row(name: string, unit: string, value: number, baseline: number, target?: Target): BenchRow {
  const round = (n: number) => Math.round(n * 100) / 100;
  return { name, unit, value: round(value), baseline: round(baseline), ratio: round(value / baseline), ...(target ? { target } : {}) };
}
