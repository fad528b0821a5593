import 'server-only';
// The per-tenant delivery limits, held by the database for every worker together (issue 13, decision 019).
// Connections: a worker opens connections to a tenant's server only under slot leases (slot numbers below
// the tenant's maxConnections); its pool gets as many connections as it holds slots, renews them while the
// pool lives and releases them when it closes the pool. Messages: each send is first counted in its clock
// minute by one upsert that refuses to go past ratePerMinute.
import { db } from '../db';
import { AS_INT, AS_TIMESTAMP, placeholder as ph, SKIP_LOCKED, sqlTime } from '../db-dialect';

const TS = AS_TIMESTAMP;

/** Takes up to `want` free slots of the tenant (below max); returns how many this worker now holds. */
export async function acquireSlots(owner: string, tenantId: string, max: number, want: number, leaseMs: number, now = new Date()): Promise<number> {
  const slots = Array.from({ length: max }, (_, i) => i);
  await db.$executeRawUnsafe(
    `INSERT INTO "TenantSendSlot" ("tenantId", "slot") VALUES ${slots.map((_, i) => `(${ph(2 * i + 1)}, ${ph(2 * i + 2)}${AS_INT})`).join(', ')} ON CONFLICT DO NOTHING`,
    ...slots.flatMap((s) => [tenantId, s]),
  );
  const values = [owner, sqlTime(new Date(now.getTime() + leaseMs)), tenantId, tenantId, max, sqlTime(now), Math.min(max, want)];
  const rows = await db.$queryRawUnsafe<{ slot: number }[]>(
    `UPDATE "TenantSendSlot" SET "owner" = ${ph(1)}, "leaseUntil" = ${ph(2)}${TS}
     WHERE "tenantId" = ${ph(3)} AND "slot" IN (
       SELECT "slot" FROM "TenantSendSlot"
       WHERE "tenantId" = ${ph(4)} AND "slot" < ${ph(5)}${AS_INT} AND ("owner" IS NULL OR "leaseUntil" IS NULL OR "leaseUntil" < ${ph(6)}${TS})
       ORDER BY "slot" LIMIT ${ph(7)}${AS_INT}${SKIP_LOCKED}
     )
     RETURNING "slot"`,
    ...values,
  );
  return rows.length;
}

export async function renewSlots(owner: string, leaseMs: number): Promise<void> {
  await db.tenantSendSlot.updateMany({ where: { owner }, data: { leaseUntil: new Date(Date.now() + leaseMs) } });
}

/** Gives back the tenant's slots (or all of this worker's) after its pool was closed. */
export async function releaseSlots(owner: string, tenantId?: string): Promise<void> {
  await db.tenantSendSlot.updateMany({ where: { owner, ...(tenantId ? { tenantId } : {}) }, data: { owner: null, leaseUntil: null } });
}

export const minuteOf = (ms: number) => Math.floor(ms / 60_000);

/**
 * A send permitted this close to the end of a minute may reach the server in the next one (a new pool
 * connects, says EHLO, STARTTLS, AUTH first): it is counted in both, so no minute the server sees gets more.
 */
export const STRADDLE_MS = 5_000;

const COUNT_SQL = () => `INSERT INTO "TenantSendMinute" ("tenantId", "minute", "sent") VALUES (${ph(1)}, ${ph(2)}${AS_INT}, 1)
  ON CONFLICT ("tenantId", "minute") DO UPDATE SET "sent" = "TenantSendMinute"."sent" + 1 WHERE "TenantSendMinute"."sent" < ${ph(3)}${AS_INT}
  RETURNING "sent"`;

class MinuteFull extends Error {
  constructor(readonly minute: number) {
    super('minute full');
  }
}

/** Counts one message of the tenant in this minute: 0 when it may go now, else how long to wait for room. */
export async function takeSendPermit(tenantId: string, ratePerMinute: number, now = Date.now()): Promise<number> {
  const minute = minuteOf(now);
  const minutes = now - minute * 60_000 > 60_000 - STRADDLE_MS ? [minute, minute + 1] : [minute];
  try {
    // One transaction: counted in every minute it may land in, or in none.
    await db.$transaction(async (tx) => {
      for (const m of minutes) {
        const rows = await tx.$queryRawUnsafe<{ sent: number }[]>(COUNT_SQL(), tenantId, m, ratePerMinute);
        if (rows.length === 0) throw new MinuteFull(m);
      }
    });
    return 0;
  } catch (error) {
    if (error instanceof MinuteFull) return Math.max(1, (error.minute + 1) * 60_000 - now);
    throw error;
  }
}

/** Minutes that can no longer limit anything. */
export async function pruneSendMinutes(now = Date.now()): Promise<void> {
  await db.tenantSendMinute.deleteMany({ where: { minute: { lt: minuteOf(now) - 1 } } });
}
