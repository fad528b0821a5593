import 'server-only';
// The auditor's view of a tenant's configuration history: the same versions and diffs as the tenant page,
// behind the auditor's permission (a customer reads their own versions on /tenants, not in /audit).
import type { CurrentUser } from '../auth/current-user';
import { requirePermission } from '../authz/scopes';
import { getSmtpConfig } from '../config-versions/list-config-versions';
import { diffVersions } from '../config-versions/diff-config-versions';
import { findVisibleTenant } from '../tenants/find-visible-tenant';

export async function getAuditedSmtpConfig(user: CurrentUser, slug: string) {
  requirePermission(user, 'audit.read');
  const [config, tenant] = await Promise.all([getSmtpConfig(user, slug), findVisibleTenant(user, slug, 'audit.read')]);
  return { ...config, tenantName: tenant.name };
}

export async function diffAuditedVersions(user: CurrentUser, slug: string, a: number, b: number) {
  requirePermission(user, 'audit.read');
  return diffVersions(user, slug, a, b);
}
