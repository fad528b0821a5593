// Audit at scale, in a child process with its own SQLite database (server/db is one client per process):
// a filtered page of the trail next to a trivial route of the same app, and chain verification next to
// bare SHA-256 over the same canonical bytes.
import { execFileSync } from 'node:child_process';
import type { Bench, BenchRow } from './bench-types';

export const auditBench: Bench = {
  name: `audit trail (${process.env.AUDIT_BENCH_N ?? '1000000'} events)`,
  run: async () => {
    const out = execFileSync(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/bench/audit-bench-child.ts'], {
      env: process.env,
      maxBuffer: 16 * 1024 * 1024,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    return JSON.parse(out.toString().trim().split('\n').at(-1)!) as BenchRow[];
  },
};
