import 'server-only';
// Readiness for load balancers (GET /api/health): the database answers and every migration this code
// ships has been applied. Checked at most once a second, so a busy balancer costs one query a second.
import { z } from 'zod';
import { db } from '../db';
import { databaseKind, databaseUrl } from '../db-url';
import { migrationFiles } from '../db-migrate';

export const ReadinessSchema = z.object({ ok: z.boolean(), database: z.enum(['ok', 'unreachable', 'migrations-pending']), pending: z.array(z.string()).optional() });
export type Readiness = z.infer<typeof ReadinessSchema>;

const CHECK_EVERY_MS = 1_000;
const expected = migrationFiles(databaseKind(databaseUrl())).map((m) => m.name);
let last: { at: number; result: Promise<Readiness> } | null = null;

export function readiness(now = Date.now()): Promise<Readiness> {
  if (!last || now - last.at >= CHECK_EVERY_MS) last = { at: now, result: check() };
  return last.result;
}

async function check(): Promise<Readiness> {
  try {
    const rows = await db.$queryRawUnsafe<{ name: string }[]>('SELECT name FROM "_relaydesk_migrations"');
    const applied = new Set(rows.map((r) => r.name));
    const pending = expected.filter((name) => !applied.has(name));
    return pending.length > 0 ? { ok: false, database: 'migrations-pending', pending } : { ok: true, database: 'ok' };
  } catch {
    return { ok: false, database: 'unreachable' };
  }
}
