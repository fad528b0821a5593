import 'server-only';
// GET /tenants/{slug}/smtp-config: the active version and every version, newest first, with who applied
// it, from which request, and how its canary went (the reason an auto-rollback happened).
import { z } from 'zod';
import { db } from '../db';
import type { CurrentUser } from '../auth/current-user';
import { findVisibleTenant } from '../tenants/find-visible-tenant';
import { ConfigVersionViewSchema, toConfigVersionView } from './config-version-view';

const CanaryViewSchema = z.object({ status: z.string(), lastReply: z.string().nullable(), at: z.string().nullable() }).describe('How the version’s canary notification went');
const VersionEntrySchema = ConfigVersionViewSchema.extend({ canary: CanaryViewSchema.nullable() });
export const SmtpConfigViewSchema = z.object({ active: VersionEntrySchema.nullable(), versions: z.array(VersionEntrySchema) });
export type CanaryView = z.infer<typeof CanaryViewSchema>;
export type VersionEntry = z.infer<typeof VersionEntrySchema>;
export type SmtpConfigView = z.infer<typeof SmtpConfigViewSchema>;

export async function getSmtpConfig(user: CurrentUser, slug: string): Promise<SmtpConfigView> {
  const tenant = await findVisibleTenant(user, slug, 'config.read');
  const [pipeline, rows, canaries] = await Promise.all([
    db.tenantPipeline.findUnique({ where: { tenantId: tenant.id } }),
    db.configVersion.findMany({ where: { tenantId: tenant.id }, orderBy: { version: 'desc' } }),
    db.notification.findMany({
      where: { tenantId: tenant.id, canary: true },
      orderBy: { createdAt: 'desc' },
      select: { configVersion: true, status: true, lastReply: true, sentAt: true, deadAt: true },
    }),
  ]);
  const userIds = [...new Set(rows.map((r) => r.appliedById).filter((id): id is string => id !== null))];
  const requestIds = [...new Set(rows.map((r) => r.requestId).filter((id): id is string => id !== null))];
  const [users, requests] = await Promise.all([
    db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, name: true, email: true } }),
    db.smtpRequest.findMany({ where: { id: { in: requestIds } }, select: { id: true, number: true } }),
  ]);
  const userById = new Map(users.map((u) => [u.id, u]));
  const requestById = new Map(requests.map((r) => [r.id, r]));
  const canaryByVersion = new Map<number, CanaryView>();
  for (const c of canaries) {
    if (c.configVersion === null || canaryByVersion.has(c.configVersion)) continue;
    const at = c.sentAt ?? c.deadAt;
    canaryByVersion.set(c.configVersion, { status: c.status, lastReply: c.lastReply, at: at ? at.toISOString() : null });
  }
  const versions = rows.map((r) => ({
    ...toConfigVersionView({ ...r, appliedBy: r.appliedById ? (userById.get(r.appliedById) ?? null) : null, request: r.requestId ? (requestById.get(r.requestId) ?? null) : null }),
    canary: canaryByVersion.get(r.version) ?? null,
  }));
  return { active: versions.find((v) => v.version === pipeline?.activeVersion) ?? null, versions };
}
