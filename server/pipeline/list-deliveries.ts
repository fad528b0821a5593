import 'server-only';
// The delivery log (keyset pagination on createdAt, id — newest first) and the health summary of a tenant.
import { z } from 'zod';
import { db } from '../db';
import { AS_TIMESTAMP, sqlParams, sqlTime } from '../db-dialect';
import type { Prisma } from '../generated/sqlite/client';
import type { CurrentUser } from '../auth/current-user';
import { parseOrThrow } from '../core/parse';
import { findVisibleTenant } from '../tenants/find-visible-tenant';
import { decodeCursor, encodeCursor } from '../core/keyset-cursor';
import { RECIPIENT_STATES, recipientStatesOf, type RecipientState } from './recipient-states';

export const DELIVERY_STATUSES = ['queued', 'retrying', 'delivered', 'dead'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export const DeliveriesQuery = z.object({
  status: z.enum(DELIVERY_STATUSES, { message: 'choose' }).optional(),
  cursor: z.string().max(300).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

const RecipientStateView = z.object({
  address: z.string(),
  state: z.enum(RECIPIENT_STATES),
  reply: z.string().nullable().describe('The server’s reply for this recipient (redacted, shortened)'),
  at: z.string().nullable(),
});

/** The delivery log's items and the health summary as the API answers them (OpenAPI document). */
export const DeliveryListView = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      messageId: z.string(),
      kind: z.string(),
      subject: z.string(),
      recipients: z.array(z.string()),
      recipientStates: z.array(RecipientStateView).describe('Per recipient: accepted ones are delivered, 4xx ones retrying, 5xx ones dead letters'),
      canary: z.boolean(),
      status: z.enum(DELIVERY_STATUSES),
      attempts: z.number().int(),
      lastReply: z.string().nullable(),
      configVersion: z.number().int().nullable(),
      createdAt: z.string(),
      nextAttemptAt: z.string().nullable(),
      sentAt: z.string().nullable(),
      deadAt: z.string().nullable(),
    }),
  ),
  nextCursor: z.string().nullable(),
});

export const PipelineHealthView = z.object({
  activeVersion: z.number().int().nullable(),
  paused: z.boolean(),
  pausedReason: z.string().nullable(),
  pausedAt: z.string().nullable(),
  maxConnections: z.number().int(),
  ratePerMinute: z.number().int().nullable(),
  queued: z.number().int(),
  retrying: z.number().int(),
  dead: z.number().int(),
  lastError: z.object({ reply: z.string(), at: z.string().describe('When the error happened'), status: z.string() }).nullable(),
  lastRecycle: z.object({ at: z.string(), reason: z.string() }).nullable().describe('The last time the watchdog renewed the tenant’s connections (no progress)'),
  buckets: z.array(z.object({ hour: z.string(), delivered: z.number().int(), retrying: z.number().int(), dead: z.number().int() })),
});

export type DeliveryView = {
  id: string;
  messageId: string;
  kind: string;
  subject: string;
  recipients: string[];
  /** Each recipient's own state and the server's reply for it (issue 10). */
  recipientStates: RecipientState[];
  canary: boolean;
  status: string;
  attempts: number;
  lastReply: string | null;
  configVersion: number | null;
  createdAt: string;
  nextAttemptAt: string | null;
  sentAt: string | null;
  deadAt: string | null;
};

export async function listDeliveries(user: CurrentUser, slug: string, query: Record<string, unknown>): Promise<{ items: DeliveryView[]; nextCursor: string | null }> {
  const tenant = await findVisibleTenant(user, slug, 'deliveries.read');
  const { status, cursor, limit } = parseOrThrow(DeliveriesQuery, query);
  const after = cursor ? decodeCursor(cursor) : null;
  const t = after ? new Date(after.t) : null;
  const rows = await db.notification.findMany({
    where: {
      AND: [{ tenantId: tenant.id }, status ? { status } : {}, t && after ? { OR: [{ createdAt: { lt: t } }, { createdAt: t, id: { lt: after.id } }] } : {}],
    },
    orderBy: [{ createdAt: 'desc' }, { id: 'desc' }],
    take: limit + 1,
    select: DELIVERY_SELECT,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toDeliveryView),
    nextCursor: rows.length > limit && last ? encodeCursor({ t: last.createdAt.toISOString(), id: last.id }) : null,
  };
}

/** The columns a delivery log row shows (the list and the search read the same). */
export const DELIVERY_SELECT = {
  id: true,
  messageId: true,
  kind: true,
  subject: true,
  recipients: true,
  recipientStates: true,
  canary: true,
  status: true,
  attempts: true,
  lastReply: true,
  lastErrorAt: true,
  configVersion: true,
  createdAt: true,
  nextAttemptAt: true,
  sentAt: true,
  deadAt: true,
} as const;

type DeliveryRow = Prisma.NotificationGetPayload<{ select: typeof DELIVERY_SELECT }>;

export function toDeliveryView({ lastErrorAt, ...r }: DeliveryRow): DeliveryView {
  return {
    ...r,
    recipients: JSON.parse(r.recipients) as string[],
    recipientStates: recipientStatesOf({ ...r, lastErrorAt }),
    createdAt: r.createdAt.toISOString(),
    nextAttemptAt: r.status === 'queued' || r.status === 'retrying' ? r.nextAttemptAt.toISOString() : null,
    sentAt: r.sentAt?.toISOString() ?? null,
    deadAt: r.deadAt?.toISOString() ?? null,
  };
}

export type HealthBucket = { hour: string; delivered: number; retrying: number; dead: number };
export type PipelineHealth = {
  activeVersion: number | null;
  paused: boolean;
  pausedReason: string | null;
  pausedAt: string | null;
  maxConnections: number;
  ratePerMinute: number | null;
  queued: number;
  retrying: number;
  dead: number;
  lastError: { reply: string; at: string; status: string } | null;
  /** The last time the watchdog recycled this tenant's lane (a pool that made no progress), and why. */
  lastRecycle: { at: string; reason: string } | null;
  buckets: HealthBucket[];
};

const HOUR = 3_600_000;

/**
 * Rows of one tenant and one final status per hour from `start`, counted in the database: the hours'
 * upper edges as cumulative counts (the last hour also takes anything later, a clock a little ahead).
 * Read through the partial index of that status (migration 0023: tenant and time, rows of that status
 * only), so the cost follows the day's rows, not the tenant's history. The status is spelled in the text:
 * the index's WHERE then matches in any plan, also one made without the parameters' values.
 */
async function hourlyCounts(tenantId: string, status: 'delivered' | 'dead', start: number): Promise<number[]> {
  const column = status === 'delivered' ? '"sentAt"' : '"deadAt"';
  const { values, p } = sqlParams();
  const below = Array.from({ length: 23 }, (_, i) => `SUM(CASE WHEN ${column} < ${p(sqlTime(new Date(start + (i + 1) * HOUR)))}${AS_TIMESTAMP} THEN 1 ELSE 0 END) AS "h${i}"`);
  const sql = `SELECT ${below.join(', ')}, COUNT(*) AS "total" FROM "Notification"
    WHERE "tenantId" = ${p(tenantId)} AND "status" = '${status}' AND ${column} >= ${p(sqlTime(new Date(start)))}${AS_TIMESTAMP}`;
  const [row] = await db.$queryRawUnsafe<Record<string, number | bigint | null>[]>(sql, ...values);
  const cumulative = [...below.map((_, i) => Number(row?.[`h${i}`] ?? 0)), Number(row?.total ?? 0)];
  return cumulative.map((c, i) => c - (i === 0 ? 0 : cumulative[i - 1]!));
}

/** Waiting and dead rows of a tenant, counted through the pending and dead partial indexes. */
async function countsByStatus(tenantId: string): Promise<Record<'queued' | 'retrying' | 'dead', number>> {
  const { values, p } = sqlParams();
  const rows = await db.$queryRawUnsafe<{ status: string; n: number | bigint }[]>(
    `SELECT "status", COUNT(*) AS "n" FROM "Notification" WHERE "tenantId" = ${p(tenantId)} AND "status" IN ('queued', 'retrying') GROUP BY "status"
     UNION ALL SELECT 'dead', COUNT(*) FROM "Notification" WHERE "tenantId" = ${p(tenantId)} AND "status" = 'dead'`,
    ...values,
  );
  const count = (s: string) => Number(rows.find((r) => r.status === s)?.n ?? 0);
  return { queued: count('queued'), retrying: count('retrying'), dead: count('dead') };
}

/** The newest failed attempt among a tenant's waiting rows, or among its dead ones (each through its partial index). */
async function lastErrorOf(tenantId: string, which: 'waiting' | 'dead'): Promise<{ lastReply: string; lastErrorAt: Date; status: string } | null> {
  const statuses = which === 'waiting' ? `IN ('queued', 'retrying')` : `= 'dead'`;
  const { values, p } = sqlParams();
  const [row] = await db.$queryRawUnsafe<{ lastReply: string; lastErrorAt: Date | string; status: string }[]>(
    `SELECT "lastReply", "lastErrorAt", "status" FROM "Notification"
     WHERE "tenantId" = ${p(tenantId)} AND "status" ${statuses} AND "lastReply" IS NOT NULL AND "lastErrorAt" IS NOT NULL
     ORDER BY "lastErrorAt" DESC LIMIT 1`,
    ...values,
  );
  return row ? { ...row, lastErrorAt: new Date(row.lastErrorAt) } : null;
}

/** Last 24 hours in hourly buckets: delivered by sentAt, dead by deadAt, retrying now in the current hour. */
export async function pipelineHealth(user: CurrentUser, slug: string, now = new Date()): Promise<PipelineHealth> {
  const tenant = await findVisibleTenant(user, slug, 'deliveries.read');
  const start = Math.floor(now.getTime() / HOUR) * HOUR - 23 * HOUR;
  const [pipeline, counts, delivered, dead, lastPending, lastDead] = await Promise.all([
    db.tenantPipeline.findUnique({ where: { tenantId: tenant.id } }),
    countsByStatus(tenant.id),
    hourlyCounts(tenant.id, 'delivered', start),
    hourlyCounts(tenant.id, 'dead', start),
    // The time of the error itself, not of the next attempt: the newest among the waiting rows and among
    // the dead ones (each its own index; one query over both statuses would read the tenant's history).
    lastErrorOf(tenant.id, 'waiting'),
    lastErrorOf(tenant.id, 'dead'),
  ]);
  const buckets: HealthBucket[] = Array.from({ length: 24 }, (_, i) => ({ hour: new Date(start + i * HOUR).toISOString(), delivered: delivered[i]!, retrying: 0, dead: dead[i]! }));
  const lastFailed = [lastPending, lastDead].filter((r) => r !== null).sort((a, b) => b.lastErrorAt.getTime() - a.lastErrorAt.getTime())[0];
  // Retrying is a state, not an event: it shows in the current hour.
  buckets[23]!.retrying = counts.retrying;
  return {
    activeVersion: pipeline?.activeVersion ?? null,
    paused: pipeline?.paused ?? false,
    pausedReason: pipeline?.pausedReason ?? null,
    pausedAt: pipeline?.pausedAt?.toISOString() ?? null,
    maxConnections: pipeline?.maxConnections ?? 2,
    ratePerMinute: pipeline?.ratePerMinute ?? null,
    ...counts,
    lastError: lastFailed ? { reply: lastFailed.lastReply, at: lastFailed.lastErrorAt.toISOString(), status: lastFailed.status } : null,
    lastRecycle: pipeline?.recycledAt ? { at: pipeline.recycledAt.toISOString(), reason: pipeline.recycledReason ?? '' } : null,
    buckets,
  };
}
