import 'server-only';
import { db } from '../db';
import type { CurrentUser } from '../auth/current-user';
import { requirePermission } from '../authz/scopes';

/** Newest first, keyset-paginated on seq. */
export async function listAuditEvents(user: CurrentUser, input: { before?: number; limit?: number }) {
  requirePermission(user, 'audit.read');
  const limit = Math.min(Math.max(input.limit ?? 50, 1), 200);
  const rows = await db.auditEvent.findMany({
    where: input.before ? { seq: { lt: input.before } } : {},
    orderBy: { seq: 'desc' },
    take: limit + 1,
  });
  const tenants = await db.tenant.findMany({ select: { id: true, slug: true } });
  const slugOf = new Map(tenants.map((t) => [t.id, t.slug]));
  const page = rows.slice(0, limit);
  return {
    items: page.map((e) => ({ seq: e.seq, at: e.at.toISOString(), actor: e.actorLabel, tenant: e.tenantId ? (slugOf.get(e.tenantId) ?? null) : null, action: e.action, targetType: e.targetType, targetId: e.targetId })),
    nextBefore: rows.length > limit ? (page[page.length - 1]?.seq ?? null) : null,
  };
}
