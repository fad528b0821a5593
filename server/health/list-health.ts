import 'server-only';
import { db } from '../db';
import type { CurrentUser } from '../auth/current-user';
import { requirePermission, tenantsVisibleTo } from '../authz/scopes';
import { findVisibleTenant } from '../tenants/find-visible-tenant';
import { riskOf, type HealthProblem } from './health-problems';

export type HealthCheckView = { id: string; checkedAt: string; version: number; healthy: boolean; problems: HealthProblem[]; certExpiresAt: string | null };
export type TenantRiskView = { slug: string; name: string; latest: HealthCheckView | null; deadLast24h: number; risk: number };

const HISTORY = 30;
const DAY_MS = 86_400_000;

function toView(row: { id: string; checkedAt: Date; configVersion: number; healthy: boolean; problems: string; certExpiresAt: Date | null }): HealthCheckView {
  return {
    id: row.id,
    checkedAt: row.checkedAt.toISOString(),
    version: row.configVersion,
    healthy: row.healthy,
    problems: JSON.parse(row.problems) as HealthProblem[],
    certExpiresAt: row.certExpiresAt?.toISOString() ?? null,
  };
}

/** The tenant page: the latest health checks, newest first (whoever may read the tenant's configuration). */
export async function listTenantHealthChecks(user: CurrentUser, slug: string): Promise<HealthCheckView[]> {
  const tenant = await findVisibleTenant(user, slug, 'config.read');
  const rows = await db.healthCheck.findMany({ where: { tenantId: tenant.id }, orderBy: { checkedAt: 'desc' }, take: HISTORY });
  return rows.map(toView);
}

/** The TAM's Health page: their tenants, riskiest first (failing checks, then warnings, then dead letters of the last day). */
export async function listTenantsByRisk(user: CurrentUser, now = new Date()): Promise<TenantRiskView[]> {
  requirePermission(user, 'pipeline.manage');
  const tenants = await db.tenant.findMany({ where: tenantsVisibleTo(user), select: { id: true, slug: true, name: true }, orderBy: { name: 'asc' } });
  const views = await Promise.all(
    tenants.map(async (tenant) => {
      const [latest, deadLast24h] = await Promise.all([
        db.healthCheck.findFirst({ where: { tenantId: tenant.id }, orderBy: { checkedAt: 'desc' } }),
        db.notification.count({ where: { tenantId: tenant.id, status: 'dead', deadAt: { gte: new Date(now.getTime() - DAY_MS) } } }),
      ]);
      const view = latest ? toView(latest) : null;
      return { slug: tenant.slug, name: tenant.name, latest: view, deadLast24h, risk: riskOf(view?.problems ?? []) + (deadLast24h > 0 ? 100 : 0) };
    }),
  );
  return views.sort((a, b) => b.risk - a.risk || a.name.localeCompare(b.name));
}
