import type { SecretField } from '@/lib/smtp-config-model';

// Associated data of a configuration version's password: the ciphertext decrypts only as that version of that tenant.
export function configVersionBinding(tenantId: string, version: number): string {
  return `config-version:${tenantId}:${version}`;
}

/** Each secret of a version is bound to the version and its field. */
export function versionSecretBinding(tenantId: string, version: number, field: SecretField): string {
  const base = configVersionBinding(tenantId, version);
  return field === 'password' ? base : `${base}:${field}`;
}
