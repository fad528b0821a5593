import 'server-only';
import { z } from 'zod';
import { db } from '../db';
import { requestNumberLabel } from '../requests/request-view';
import type { CurrentUser } from '../auth/current-user';
import { requirePermission } from '../authz/scopes';
import { auditWhere, parseAuditQuery, withSeq } from './audit-query';

export const AuditEventViewSchema = z.object({
  seq: z.number().int(),
  at: z.string(),
  actorType: z.string(),
  actor: z.string(),
  tenant: z.string().nullable(),
  action: z.string(),
  targetType: z.string(),
  targetId: z.string().nullable(),
  targetLabel: z.string().nullable().describe('The target as people know it: SMTP-1002, the tenant’s name, the user’s email, "acme v3"; null when gone'),
  before: z.record(z.string(), z.unknown()).nullable(),
  after: z.record(z.string(), z.unknown()).nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  prevHash: z.string(),
  hash: z.string(),
});
export type AuditEventView = z.infer<typeof AuditEventViewSchema>;

export const AuditEventPageSchema = z.object({
  items: z.array(AuditEventViewSchema),
  nextCursor: z.string().nullable(),
  prevCursor: z.string().nullable().describe('Set when this is not the first page: the cursor of the page before it, or "" when that is the first page'),
});

type Row = Awaited<ReturnType<typeof db.auditEvent.findMany>>[number];

export function toAuditEventView(e: Row, slugOf: Map<string, string>, labelOf: Map<string, string> = new Map()): AuditEventView {
  return {
    seq: e.seq,
    at: e.at.toISOString(),
    actorType: e.actorType,
    actor: e.actorLabel,
    tenant: e.tenantId ? (slugOf.get(e.tenantId) ?? null) : null,
    action: e.action,
    targetType: e.targetType,
    targetId: e.targetId,
    targetLabel: e.targetId ? (labelOf.get(e.targetId) ?? null) : null,
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

/**
 * Names for the targets of a page of events, looked up in one query per kind of target: the request's
 * number, the user's email, the tenant's name, a configuration version as "tenant vN".
 */
export async function targetLabels(rows: { targetType: string; targetId: string | null }[]): Promise<Map<string, string>> {
  const idsOf = (...types: string[]) => [...new Set(rows.filter((r) => r.targetId && types.includes(r.targetType)).map((r) => r.targetId!))];
  const [requests, users, tenants, versions] = await Promise.all([
    idsOf('smtp-request').length ? db.smtpRequest.findMany({ where: { id: { in: idsOf('smtp-request') } }, select: { id: true, number: true } }) : [],
    idsOf('user').length ? db.user.findMany({ where: { id: { in: idsOf('user') } }, select: { id: true, email: true } }) : [],
    idsOf('tenant', 'tenant-pipeline').length ? db.tenant.findMany({ where: { id: { in: idsOf('tenant', 'tenant-pipeline') } }, select: { id: true, name: true } }) : [],
    idsOf('config-version').length ? db.configVersion.findMany({ where: { id: { in: idsOf('config-version') } }, select: { id: true, version: true, tenantId: true } }) : [],
  ]);
  const versionTenants = versions.length ? await db.tenant.findMany({ where: { id: { in: versions.map((v) => v.tenantId) } }, select: { id: true, name: true } }) : [];
  const tenantName = new Map(versionTenants.map((t) => [t.id, t.name]));
  return new Map<string, string>([
    ...requests.map((r) => [r.id, requestNumberLabel(r.number)] as [string, string]),
    ...users.map((u) => [u.id, u.email] as [string, string]),
    ...tenants.map((t) => [t.id, t.name] as [string, string]),
    ...versions.map((v) => [v.id, `${tenantName.get(v.tenantId) ?? ''} v${v.version}`.trim()] as [string, string]),
  ]);
}

/** Newest first, keyset-paginated on seq (the cursor is the last seq seen). */
export async function listAuditEvents(user: CurrentUser, input: Record<string, string | undefined>): Promise<z.infer<typeof AuditEventPageSchema>> {
  requirePermission(user, 'audit.read');
  const q = parseAuditQuery(input);
  const where = await auditWhere(q);
  const rows = await db.auditEvent.findMany({
    where: q.cursor ? withSeq(where, { lt: q.cursor }) : where,
    orderBy: { seq: 'desc' },
    take: q.limit + 1,
  });
  const page = rows.slice(0, q.limit);
  const [slugOf, labelOf, previous] = await Promise.all([tenantSlugs(), targetLabels(page), q.cursor ? previousPage(where, q.cursor, q.limit) : null]);
  return {
    items: page.map((e) => toAuditEventView(e, slugOf, labelOf)),
    nextCursor: rows.length > q.limit ? String(page[page.length - 1]!.seq) : null,
    prevCursor: previous,
  };
}

/**
 * The cursor of the page just above a page that starts below `cursor`: the `limit` events from `cursor`
 * upwards are that page, so its cursor is the seq of the event after them (or none: the first page).
 */
async function previousPage(where: Awaited<ReturnType<typeof auditWhere>>, cursor: number, limit: number): Promise<string> {
  const above = await db.auditEvent.findMany({ where: withSeq(where, { gt: cursor - 1 }), orderBy: { seq: 'asc' }, take: limit + 1, select: { seq: true } });
  return above.length > limit ? String(above[limit]!.seq) : '';
}

export async function getAuditEvent(user: CurrentUser, seq: number): Promise<AuditEventView | null> {
  requirePermission(user, 'audit.read');
  const row = Number.isInteger(seq) && seq > 0 ? await db.auditEvent.findUnique({ where: { seq } }) : null;
  return row ? toAuditEventView(row, await tenantSlugs(), await targetLabels([row])) : null;
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
