import 'server-only';
// Query scopes: tenant and role go into the `where`, so another tenant's object is simply not found.
import type { CurrentUser } from '../auth/current-user';
import { AppError } from '../app-error';
import { can, type Permission } from './permissions';

export function tenantsVisibleTo(user: CurrentUser) {
  switch (user.role) {
    case 'customer-admin':
    case 'customer-member':
      return { id: user.tenantId ?? '__none__' };
    case 'tam':
      return { tamAssignments: { some: { tamId: user.id } } };
    case 'auditor':
    case 'admin':
      return {};
  }
}

export function requestsVisibleTo(user: CurrentUser) {
  return { tenant: tenantsVisibleTo(user) };
}

/** Throws FORBIDDEN when the role may never do this; object-level checks are scopes (NOT_FOUND). */
export function requirePermission(user: CurrentUser, permission: Permission): void {
  if (!can(user.role, permission)) throw new AppError('FORBIDDEN', `Your role (${user.role}) may not do this.`);
}
