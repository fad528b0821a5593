import 'server-only';
import { db } from '../db';
import { AppError } from '../app-error';
import type { CurrentUser } from '../auth/current-user';
import { requirePermission, tenantsVisibleTo } from '../authz/scopes';
import type { Permission } from '../authz/permissions';

export type VisibleTenant = { id: string; slug: string; name: string };

/**
 * The tenant by slug when the user may see it and has the permission. Another tenant is "not found"
 * before any role check (a 403 would confirm that it exists); the permission is checked on one's own.
 */
export async function findVisibleTenant(user: CurrentUser, slug: string, permission: Permission): Promise<VisibleTenant> {
  const tenant = await db.tenant.findFirst({ where: { slug, ...tenantsVisibleTo(user) }, select: { id: true, slug: true, name: true } });
  if (!tenant) throw new AppError('NOT_FOUND', 'No such tenant.');
  requirePermission(user, permission);
  return tenant;
}
