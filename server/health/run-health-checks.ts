import 'server-only';
import { createHash } from 'node:crypto';
import { db } from '../db';
import { AppError } from '../app-error';
import { logError } from '../log';
import { checkTenantHealth, type HealthTransition } from './check-tenant-health';

// The daily health check of every tenant's active configuration: one worker of a fleet holds a lease
// (a row it renews; another worker takes over when it lapses), and each tenant is checked once per
// interval at its own offset inside the interval, so a thousand tenants are not probed at midnight.

const LEASE_NAME = 'health-checks';
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
export const DEFAULT_HEALTH_INTERVAL_MS = 24 * 3_600_000;

/** RELAYDESK_HEALTH_INTERVAL: "24h", "30m", "90s", "2d" or milliseconds; at least a minute. */
export function healthIntervalMs(value: string | undefined = process.env.RELAYDESK_HEALTH_INTERVAL): number {
  if (!value?.trim()) return DEFAULT_HEALTH_INTERVAL_MS;
  const match = /^\s*(\d+)\s*(ms|s|m|h|d)?\s*$/.exec(value);
  if (!match) throw new Error(`Invalid RELAYDESK_HEALTH_INTERVAL "${value}": a number with ms, s, m, h or d (e.g. 24h)`);
  const ms = Number(match[1]) * UNITS[match[2] ?? 'ms']!;
  if (ms < 60_000) throw new Error(`RELAYDESK_HEALTH_INTERVAL "${value}" is shorter than a minute`);
  return ms;
}

/** The tenant's offset inside the interval: stable, spread evenly by a hash of its id. */
export function offsetOf(tenantId: string, intervalMs: number): number {
  return createHash('sha256').update(tenantId).digest().readUInt32BE(0) % intervalMs;
}

/** Due when its latest slot (offset + k × interval) has passed since the last check. */
export function isDue(tenantId: string, lastCheckedAt: Date | null, intervalMs: number, now: Date): boolean {
  const offset = offsetOf(tenantId, intervalMs);
  const latestSlot = Math.floor((now.getTime() - offset) / intervalMs) * intervalMs + offset;
  return lastCheckedAt === null || lastCheckedAt.getTime() < latestSlot;
}

/** True while this holder has the lease (taken, renewed, or taken over after it lapsed). */
export async function takeHealthLease(holder: string, leaseMs: number, now = new Date()): Promise<boolean> {
  const until = new Date(now.getTime() + leaseMs);
  const { count } = await db.healthLease.updateMany({ where: { name: LEASE_NAME, OR: [{ holder }, { until: { lt: now } }] }, data: { holder, until } });
  if (count === 1) return true;
  try {
    await db.healthLease.create({ data: { name: LEASE_NAME, holder, until } });
    return true;
  } catch {
    return false; // another worker holds it
  }
}

export type HealthRun = { checked: number; skipped: number; transitions: HealthTransition[] };

/** One tick: if this worker holds the lease, check the tenants that are due (at most `limit`). */
export async function runDueHealthChecks({
  holder,
  now = new Date(),
  intervalMs = healthIntervalMs(),
  limit = 20,
  leaseMs = 5 * 60_000,
}: {
  holder: string;
  now?: Date;
  intervalMs?: number;
  limit?: number;
  leaseMs?: number;
}): Promise<HealthRun> {
  const run: HealthRun = { checked: 0, skipped: 0, transitions: [] };
  if (!(await takeHealthLease(holder, leaseMs, now))) return run;
  const active = await db.tenantPipeline.findMany({ where: { activeVersion: { not: null } }, select: { tenantId: true } });
  const latest = await db.healthCheck.groupBy({ by: ['tenantId'], _max: { checkedAt: true } });
  const last = new Map(latest.map((l) => [l.tenantId, l._max.checkedAt]));
  const due = active.filter((t) => isDue(t.tenantId, last.get(t.tenantId) ?? null, intervalMs, now)).slice(0, limit);
  for (const { tenantId } of due) {
    try {
      const outcome = await checkTenantHealth(tenantId, { now });
      run.checked += 1;
      if (outcome?.transition) run.transitions.push(outcome.transition);
    } catch (error) {
      run.skipped += 1;
      if (!(error instanceof AppError && error.code === 'RATE_LIMITED')) logError(`health check of tenant ${tenantId} failed`, error);
    }
  }
  return run;
}
