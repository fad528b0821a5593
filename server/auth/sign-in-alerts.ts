import 'server-only';
// What the admin page shows of auth.sign_in_failures_distributed: accounts many addresses guessed at lately.
import { db } from '../db';
import { requirePermission } from '../authz/scopes';
import type { CurrentUser } from './current-user';

const RECENT_MS = 7 * 24 * 60 * 60 * 1000;

export async function recentSignInAlerts(user: CurrentUser) {
  requirePermission(user, 'admin.manage');
  const events = await db.auditEvent.findMany({
    where: { action: 'auth.sign_in_failures_distributed', at: { gte: new Date(Date.now() - RECENT_MS) } },
    orderBy: { seq: 'desc' },
    take: 20,
  });
  return events.map((e) => {
    const after = JSON.parse(e.after ?? '{}') as { email?: string; failures?: number; addresses?: number };
    return { seq: e.seq, at: e.at, email: after.email ?? '', failures: after.failures ?? 0, addresses: after.addresses ?? 0 };
  });
}
