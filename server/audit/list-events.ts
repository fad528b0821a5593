import 'server-only';
import { db } from '../db';
import type { CurrentUser } from '../auth/current-user';
import { requirePermission } from '../authz/scopes';
import { auditWhere, parseAuditQuery, withSeq } from './audit-query';

export type AuditEventView = {
  seq: number;
  at: string;
  actorType: string;
  actor: string;
  tenant: string | null;
  action: string;
  targetType: string;
  targetId: string | null;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  prevHash: string;
  hash: string;
};

type Row = Awaited<ReturnType<typeof db.auditEvent.findMany>>[number];

export function toAuditEventView(e: Row, slugOf: Map<string, string>): AuditEventView {
  return {
    seq: e.seq,
    at: e.at.toISOString(),
    actorType: e.actorType,
    actor: e.actorLabel,
    tenant: e.tenantId ? (slugOf.get(e.tenantId) ?? null) : null,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    before: e.before ? (JSON.parse(e.before) as Record<string, unknown>) : null,
    after: e.after ? (JSON.parse(e.after) as Record<string, unknown>) : null,
    ip: e.ip,
    userAgent: e.userAgent,
    requestId: e.requestId,
    prevHash: e.prevHash,
    hash: e.hash,
  };
}

export async function tenantSlugs(): Promise<Map<string, string>> {
  const tenants = await db.tenant.findMany({ select: { id: true, slug: true } });
  return new Map(tenants.map((t) => [t.id, t.slug]));
}

/** Newest first, keyset-paginated on seq (the cursor is the last seq seen). */
export async function listAuditEvents(user: CurrentUser, input: Record<string, string | undefined>) {
  requirePermission(user, 'audit.read');
  const q = parseAuditQuery(input);
  const where = await auditWhere(q);
  const rows = await db.auditEvent.findMany({
    where: q.cursor ? withSeq(where, { lt: q.cursor }) : where,
    orderBy: { seq: 'desc' },
    take: q.limit + 1,
  });
  const slugOf = await tenantSlugs();
  const page = rows.slice(0, q.limit);
  return {
    items: page.map((e) => toAuditEventView(e, slugOf)),
    nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.seq) : null,
  };
}

export async function getAuditEvent(user: CurrentUser, seq: number): Promise<AuditEventView | null> {
  requirePermission(user, 'audit.read');
  const row = Number.isInteger(seq) && seq > 0 ? await db.auditEvent.findUnique({ where: { seq } }) : null;
  return row ? toAuditEventView(row, await tenantSlugs()) : null;
}

/** Suggestions for the actor filter: users by email, then the actors that are not users. */
export async function knownActors(): Promise<string[]> {
  const users = await db.user.findMany({ select: { email: true }, orderBy: { email: 'asc' }, take: 1000 });
  return [...users.map((u) => u.email), 'system', 'notification worker'];
}

/** The actions present in the trail, each found with one index lookup (a loose index scan): a GROUP BY
 * would read the whole (action, seq) index, a million entries for a million events. */
export async function distinctActions(): Promise<string[]> {
  const rows = await db.$queryRaw<{ action: string | null }[]>`
    WITH RECURSIVE a(action) AS (
      SELECT MIN("action") FROM "AuditEvent"
      UNION ALL
      SELECT (SELECT MIN("action") FROM "AuditEvent" WHERE "action" > a.action) FROM a WHERE a.action IS NOT NULL
    )
    SELECT action FROM a WHERE action IS NOT NULL`;
  return rows.map((r) => r.action!);
}
