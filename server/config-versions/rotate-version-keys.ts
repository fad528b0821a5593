import 'server-only';
// For rotate-keys: re-encrypts every configuration version's password with the newest key.
import { db } from '../db';
import { decryptSecret, encryptSecret, keyIdOf } from '../crypto/secret-box';
import type { SecretKey } from '../crypto/secret-keys';
import { configVersionBinding } from './version-binding';

export async function rotateConfigVersionKeys(keys: SecretKey[]): Promise<number> {
  const newest = keys[keys.length - 1];
  if (!newest) throw new Error('RELAYDESK_SECRET_KEYS is empty');
  const rows = await db.configVersion.findMany({ where: { passwordCipher: { not: null } }, select: { id: true, tenantId: true, version: true, passwordCipher: true } });
  let count = 0;
  for (const row of rows) {
    if (!row.passwordCipher || keyIdOf(row.passwordCipher) === newest.id) continue;
    const binding = configVersionBinding(row.tenantId, row.version);
    const cipher = encryptSecret(decryptSecret(row.passwordCipher, binding, keys), binding, keys);
    count += (await db.configVersion.updateMany({ where: { id: row.id, passwordCipher: row.passwordCipher }, data: { passwordCipher: cipher } })).count;
  }
  return count;
}
