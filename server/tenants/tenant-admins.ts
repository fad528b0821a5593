import 'server-only';
// Whom a customer member asks: the active customer admins of their own tenant (nobody else's).
import { db } from '../db';
import type { CurrentUser } from '../auth/current-user';

export async function listTenantAdmins(user: CurrentUser): Promise<{ name: string; email: string }[]> {
  if (!user.tenantId) return [];
  return db.user.findMany({
    where: { tenantId: user.tenantId, role: 'customer-admin', disabledAt: null },
    select: { name: true, email: true },
    orderBy: { name: 'asc' },
    take: 5,
  });
}
