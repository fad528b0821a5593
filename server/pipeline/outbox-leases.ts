import 'server-only';
// Leases on outbox rows. A worker claims due notifications by writing its id and a lease deadline in one
// statement; a crashed worker's rows come back when the deadline passes.
import { db } from '../db';
import { AS_INT, AS_TIMESTAMP, isPostgres, rowsAsTable, sqlBoolean, sqlParams, sqlTime, type TableColumn } from '../db-dialect';
import type { OutboxRow } from './compose-notification';

const TS = AS_TIMESTAMP;
const INT = AS_INT;

/** What a worker needs of a claimed row to send it. */
export type ClaimedRow = OutboxRow & { attempts: number; configVersion: number | null; status: string; recipientStates: string | null; lastReply: string | null };

const CLAIMED_COLUMNS = [
  'id',
  'tenantId',
  'messageId',
  'kind',
  'subject',
  'text',
  'html',
  'recipients',
  'threadId',
  'canary',
  'createdAt',
  'attempts',
  'configVersion',
  'status',
  'recipientStates',
  'lastReply',
];

type RawClaimed = Omit<ClaimedRow, 'canary' | 'createdAt' | 'attempts' | 'configVersion'> & {
  canary: boolean | number;
  createdAt: Date | string;
  attempts: number | bigint;
  configVersion: number | bigint | null;
};

/** Raw rows as each database returns them (SQLite: booleans as 0/1). */
function claimedRow(r: RawClaimed): ClaimedRow {
  return {
    ...r,
    canary: r.canary === true || r.canary === 1,
    createdAt: new Date(r.createdAt),
    attempts: Number(r.attempts),
    configVersion: r.configVersion === null ? null : Number(r.configVersion),
  };
}

/**
 * Claims up to `limit` due rows, tenant by tenant: for each tenant that is active, not paused and not in
 * `excludeTenants` (its lane in this worker is full), its oldest due rows through the partial pending
 * index. A tenant whose connection slots other workers hold (all maxConnections of them) is skipped too:
 * this worker could not send its rows. A tenant with a huge backlog the worker skips (a hanging server) costs nothing to skip. Fairness
 * comes from the lanes: a tenant that takes a whole claim fills its lane and is skipped by the next one.
 */
export async function claimDue(owner: string, leaseMs: number, limit: number, excludeTenants: string[], now = new Date()): Promise<ClaimedRow[]> {
  if (limit <= 0) return [];
  const { values, p } = sqlParams();
  // Parameters are collected as the text is built, so everything is written in text order (SQLite's ?).
  const due = () => `
    SELECT n."id" FROM "Notification" n
    WHERE n."tenantId" = tp."tenantId" AND n."status" IN ('queued', 'retrying')
      AND n."nextAttemptAt" <= ${p(sqlTime(now))}${TS}
      AND (n."leaseUntil" IS NULL OR n."leaseUntil" < ${p(sqlTime(now))}${TS})
    ORDER BY n."nextAttemptAt"
    LIMIT ${p(limit)}${INT}`;
  // PostgreSQL: a lateral subquery per tenant, locking with SKIP LOCKED so workers never wait on each
  // other. SQLite has no LATERAL: the same per-tenant subquery filters a CROSS JOIN (which keeps tenants
  // as the outer loop), and the one UPDATE runs under the database write lock, atomic by itself.
  const sql = `
    UPDATE "Notification" SET "leaseOwner" = ${p(owner)}, "leaseUntil" = ${p(sqlTime(new Date(now.getTime() + leaseMs)))}${TS}
    WHERE "id" IN (
      SELECT d."id" FROM "TenantPipeline" tp
      ${isPostgres ? `CROSS JOIN LATERAL (${due()} FOR UPDATE OF n SKIP LOCKED) d` : 'CROSS JOIN "Notification" d'}
      WHERE tp."paused" = ${sqlBoolean(false)} AND tp."activeVersion" IS NOT NULL
        ${excludeTenants.length ? `AND tp."tenantId" NOT IN (${excludeTenants.map(p).join(', ')})` : ''}
        AND (SELECT COUNT(*) FROM "TenantSendSlot" s WHERE s."tenantId" = tp."tenantId" AND s."owner" <> ${p(owner)}
          AND s."leaseUntil" >= ${p(sqlTime(now))}${TS} AND s."slot" < tp."maxConnections") < tp."maxConnections"
        ${isPostgres ? '' : `AND d."id" IN (${due()})`}
      LIMIT ${p(limit)}${INT}
    )
    RETURNING ${CLAIMED_COLUMNS.map((c) => `"${c}"`).join(', ')}`;
  // The claimed rows come back whole: no second query to read them.
  const rows = await db.$queryRawUnsafe<RawClaimed[]>(sql, ...values);
  return rows.map(claimedRow);
}

export async function renewLeases(owner: string, ids: string[], leaseMs: number): Promise<void> {
  if (ids.length === 0) return;
  await db.notification.updateMany({ where: { id: { in: ids }, leaseOwner: owner }, data: { leaseUntil: new Date(Date.now() + leaseMs) } });
}

/** Gives rows back untouched (no attempt counted): on shutdown, or when the tenant is paused. */
export async function releaseLeases(owner: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.notification.updateMany({ where: { id: { in: ids }, leaseOwner: owner }, data: { leaseOwner: null, leaseUntil: null } });
}

export type Delivered = { id: string; reply: string; version: number };
const DELIVERED_COLUMNS: TableColumn<Delivered>[] = [
  { name: 'vid', type: 'text', value: (d) => d.id },
  { name: 'reply', type: 'text', value: (d) => d.reply },
  { name: 'ver', type: 'int', value: (d) => d.version },
];

/** Marks a batch delivered in one statement (per-row reply, already redacted and shortened, and version), only rows this worker still holds. */
export async function markDelivered(owner: string, batch: Delivered[], at = new Date()): Promise<void> {
  if (batch.length === 0) return;
  const { values, p } = sqlParams();
  // A join on the batch as rows (`rowsAsTable`): one statement, linear in the batch (a CASE per row would be
  // quadratic). Parameters in text order (SQLite's ? are positional).
  const sentAt = p(sqlTime(at));
  const rows = rowsAsTable(p, batch, DELIVERED_COLUMNS);
  const sql = `
    UPDATE "Notification" SET
      "status" = 'delivered', "sentAt" = ${sentAt}${TS}, "attempts" = "attempts" + 1,
      "leaseOwner" = NULL, "leaseUntil" = NULL, "lastReply" = v.reply, "configVersion" = v.ver
    FROM (${rows}) AS v
    WHERE "Notification"."id" = v.vid AND "Notification"."leaseOwner" = ${p(owner)}`;
  await db.$executeRawUnsafe(sql, ...values);
}
