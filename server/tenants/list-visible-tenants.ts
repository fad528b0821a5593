import 'server-only';
import { db } from '../db';
import type { CurrentUser } from '../auth/current-user';
import { tenantsVisibleTo } from '../authz/scopes';

export async function listVisibleTenants(user: CurrentUser): Promise<{ slug: string; name: string }[]> {
  return db.tenant.findMany({ where: tenantsVisibleTo(user), orderBy: { name: 'asc' }, select: { slug: true, name: true } });
}
