import 'server-only';
// For rotate-keys: re-encrypts every secret of every configuration version with the newest key.
import { SECRET_FIELDS, cipherColumn, type SecretColumns } from '@/lib/smtp-config-model';
import { db } from '../db';
import { keyIdOf, reencryptSecret } from '../crypto/secret-box';
import type { SecretKey } from '../crypto/secret-keys';
import { versionSecretBinding } from './version-binding';

export async function rotateConfigVersionKeys(keys: SecretKey[]): Promise<number> {
  const newest = keys[keys.length - 1];
  if (!newest) throw new Error('RELAYDESK_SECRET_KEYS is empty');
  let count = 0;
  for (const field of SECRET_FIELDS) {
    const column = cipherColumn(field);
    const rows = (await db.configVersion.findMany({ where: { [column]: { not: null } }, select: { id: true, tenantId: true, version: true, [column]: true } })) as unknown as ({
      id: string;
      tenantId: string;
      version: number;
    } & SecretColumns)[];
    for (const row of rows) {
      const cipher = row[column];
      if (!cipher || keyIdOf(cipher) === newest.id) continue;
      const binding = versionSecretBinding(row.tenantId, row.version, field);
      const renewed = reencryptSecret(cipher, binding, keys);
      count += (await db.configVersion.updateMany({ where: { id: row.id, [column]: cipher }, data: { [column]: renewed } })).count;
    }
  }
  return count;
}
