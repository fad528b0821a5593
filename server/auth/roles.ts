export const ROLES = ['customer-admin', 'customer-member', 'tam', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const CUSTOMER_ROLES: readonly Role[] = ['customer-admin', 'customer-member'];
export const STAFF_ROLES: readonly Role[] = ['tam', 'auditor', 'admin'];

export function isCustomerRole(role: string): boolean {
  return (CUSTOMER_ROLES as readonly string[]).includes(role);
}

/** Where each role lands after sign-in. */
export const HOME_BY_ROLE: Record<Role, string> = {
  'customer-admin': '/portal',
  'customer-member': '/portal',
  tam: '/console',
  auditor: '/audit',
  admin: '/admin',
};
