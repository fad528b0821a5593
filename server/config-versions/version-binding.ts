// Associated data of a configuration version's password: the ciphertext decrypts only as that version of that tenant.
export function configVersionBinding(tenantId: string, version: number): string {
  return `config-version:${tenantId}:${version}`;
}
