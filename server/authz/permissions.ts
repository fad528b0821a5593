// The one table of what each role may do. Scopes (scopes.ts) then decide which objects.
import type { Role } from '../auth/roles';

export const PERMISSIONS = {
  'request.create': ['customer-admin'],
  'request.read': ['customer-admin', 'customer-member', 'tam', 'auditor', 'admin'],
  'request.edit': ['customer-admin'],
  'request.withdraw': ['customer-admin'],
  'request.comment': ['customer-admin', 'tam'],
  'request.comment.internal': ['tam'],
  'request.review': ['tam'],
  'request.probe': ['tam'],
  // A customer admin checks their own settings (a validation, no mail) and reads their own checks.
  'request.check': ['customer-admin'],
  'probe.read': ['tam', 'auditor', 'admin'],
  'audit.read': ['auditor'],
  'admin.manage': ['admin'],
  'token.own': ['customer-admin', 'customer-member', 'tam', 'auditor', 'admin'],
  'sandbox.use': ['tam', 'admin'],
  'sandbox.configure': ['admin'],
  'config.read': ['customer-admin', 'customer-member', 'tam', 'auditor', 'admin'],
  'config.apply': ['tam'],
  'pipeline.manage': ['tam', 'admin'],
  'deliveries.read': ['customer-admin', 'customer-member', 'tam', 'auditor', 'admin'],
  'invitation.manage': ['customer-admin', 'admin'],
} as const satisfies Record<string, readonly Role[]>;

export type Permission = keyof typeof PERMISSIONS;

export function can(role: Role, permission: Permission): boolean {
  return (PERMISSIONS[permission] as readonly Role[]).includes(role);
}

export const STAFF_ROLES: readonly Role[] = ['tam', 'auditor', 'admin'];
export function isStaff(role: Role): boolean {
  return STAFF_ROLES.includes(role);
}
