// A database of its own for one bench run: a temp SQLite file, or a new PostgreSQL database (null when
// PostgreSQL is not reachable: that half of the bench is skipped, and says so).
import { mkdtempSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export type BenchDatabase = { url: string; drop: () => Promise<void> };

export async function freshDatabase(kind: 'sqlite' | 'postgres', adminUrl: string, prefix = 'relaydesk_bench'): Promise<BenchDatabase | null> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(path.join(os.tmpdir(), `${prefix.replace(/_/g, '-')}-`));
    return { url: `file:${path.join(dir, 'bench.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `${prefix}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
    await admin.query(`CREATE DATABASE "${name}"`);
  } catch (error) {
    console.error(`\n  (PostgreSQL at ${adminUrl} is not reachable, skipping: ${error instanceof Error ? error.message : error})`);
    await admin.end().catch(() => {});
    return null;
  }
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: adminUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`).catch(() => {});
      await c.end();
    },
  };
}
