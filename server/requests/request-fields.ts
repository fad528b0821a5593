// Bindings of a request's secrets, and what its audit events show of it.
import { REQUEST_FIELDS, type SecretField } from '@/lib/smtp-config-model';

/** Associated data of a request's password: the ciphertext only decrypts on its own tenant and request. */
export function passwordBinding(tenantId: string, requestId: string): string {
  return `smtp-request:${tenantId}:${requestId}`;
}

/** Each secret is bound to its row and its field, so a ciphertext opens neither elsewhere nor as another secret. */
export function requestSecretBinding(tenantId: string, requestId: string, field: SecretField): string {
  const base = passwordBinding(tenantId, requestId);
  return field === 'password' ? base : `${base}:${field}`;
}

/** The request's fields in clear and its status; fields a configuration does not use (null) are left out. */
export function auditableFields(row: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries([...REQUEST_FIELDS, 'status'].filter((k) => row[k] !== null && row[k] !== undefined).map((k) => [k, row[k]]));
}
