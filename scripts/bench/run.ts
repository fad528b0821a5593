// `npm run bench`: runs every registered bench, prints a table and writes bench-results.json
// (a list of { name, unit, value, baseline, ratio }). To add a bench, write a module that exports a
// Bench (scripts/bench/bench-types.ts) and list it in BENCHES. `npm run bench -- domain` runs only the
// benches whose name contains "domain" and prints their rows (bench-results.json is left as it was).
import { writeFileSync } from 'node:fs';
import { meets, type Bench, type BenchRow } from './bench-types';
import { probeBench } from './probe-bench';
import { auditBench } from './audit-bench';
import { pipelineBenchEntry } from './pipeline-bench';
import { oauthBench } from './oauth-bench';
import { domainBench } from './domain-bench';
import { intakeBenchEntry } from './intake-bench';
import { latencyBenchEntry } from './latency-bench';

const BENCHES: Bench[] = [probeBench, domainBench, oauthBench, auditBench, pipelineBenchEntry, intakeBenchEntry, latencyBenchEntry];

const OUTPUT = 'bench-results.json';

function printTable(rows: BenchRow[]): void {
  const lines = rows.map((row) => [row.name, `${row.value} ${row.unit}`, `${row.baseline} ${row.unit}`, `${row.ratio}×`, meets(row)]);
  const header = ['bench', 'relaydesk', 'baseline', 'ratio', 'target'];
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  console.log(format(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const line of lines) console.log(format(line));
}

async function main() {
  const only = process.argv.slice(2).map((word) => word.toLowerCase());
  const chosen = only.length > 0 ? BENCHES.filter((b) => only.some((word) => b.name.toLowerCase().includes(word))) : BENCHES;
  if (chosen.length === 0) throw new Error(`no bench matches ${only.join(' ')}; benches: ${BENCHES.map((b) => b.name).join('; ')}`);
  const results: BenchRow[] = [];
  for (const bench of chosen) {
    const started = performance.now();
    process.stdout.write(`${bench.name}… `);
    const rows = await bench.run();
    console.log(`${((performance.now() - started) / 1000).toFixed(1)} s`);
    results.push(...rows);
  }
  console.log('');
  printTable(results);
  if (only.length > 0) return;
  const written = results.map(({ name, unit, value, baseline, ratio }) => ({ name, unit, value, baseline, ratio }));
  writeFileSync(OUTPUT, `${JSON.stringify(written, null, 2)}\n`);
  console.log(`\nWrote ${OUTPUT}`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
