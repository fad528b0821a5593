import 'server-only';
// The delivery log (keyset pagination on createdAt, id — newest first) and the health summary of a tenant.
import { z } from 'zod';
import { db } from '../db';
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

/** Last 24 hours in hourly buckets: delivered by sentAt, dead by deadAt, retrying now in the current hour. */
export async function pipelineHealth(user: CurrentUser, slug: string, now = new Date()): Promise<PipelineHealth> {
  const tenant = await findVisibleTenant(user, slug, 'deliveries.read');
  const start = Math.floor(now.getTime() / HOUR) * HOUR - 23 * HOUR;
  const since = new Date(start);
  const [pipeline, counts, delivered, dead, lastFailed] = await Promise.all([
    db.tenantPipeline.findUnique({ where: { tenantId: tenant.id } }),
    db.notification.groupBy({ by: ['status'], where: { tenantId: tenant.id, status: { in: ['queued', 'retrying', 'dead'] } }, _count: { _all: true } }),
    db.notification.findMany({ where: { tenantId: tenant.id, status: 'delivered', sentAt: { gte: since } }, select: { sentAt: true } }),
    db.notification.findMany({ where: { tenantId: tenant.id, status: 'dead', deadAt: { gte: since } }, select: { deadAt: true } }),
    // The time of the error itself, not of the next attempt.
    db.notification.findFirst({
      where: { tenantId: tenant.id, status: { in: ['dead', 'retrying', 'queued'] }, lastReply: { not: null }, lastErrorAt: { not: null } },
      orderBy: { lastErrorAt: 'desc' },
      select: { lastReply: true, lastErrorAt: true, status: true },
    }),
  ]);
  const buckets: HealthBucket[] = Array.from({ length: 24 }, (_, i) => ({ hour: new Date(start + i * HOUR).toISOString(), delivered: 0, retrying: 0, dead: 0 }));
  const bucketOf = (d: Date | null) => (d ? buckets[Math.min(23, Math.max(0, Math.floor((d.getTime() - start) / HOUR)))] : undefined);
  for (const r of delivered) bucketOf(r.sentAt)!.delivered += 1;
  for (const r of dead) bucketOf(r.deadAt)!.dead += 1;
  const count = (s: string) => counts.find((c) => c.status === s)?._count._all ?? 0;
  // Retrying is a state, not an event: it shows in the current hour.
  buckets[23]!.retrying = count('retrying');
  return {
    activeVersion: pipeline?.activeVersion ?? null,
    paused: pipeline?.paused ?? false,
    pausedReason: pipeline?.pausedReason ?? null,
    pausedAt: pipeline?.pausedAt?.toISOString() ?? null,
    maxConnections: pipeline?.maxConnections ?? 2,
    ratePerMinute: pipeline?.ratePerMinute ?? null,
    queued: count('queued'),
    retrying: count('retrying'),
    dead: count('dead'),
    lastError: lastFailed?.lastReply && lastFailed.lastErrorAt ? { reply: lastFailed.lastReply, at: lastFailed.lastErrorAt.toISOString(), status: lastFailed.status } : null,
    lastRecycle: pipeline?.recycledAt ? { at: pipeline.recycledAt.toISOString(), reason: pipeline.recycledReason ?? '' } : null,
    buckets,
  };
}
