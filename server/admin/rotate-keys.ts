import 'server-only';
import { db } from '../db';
import { recordEvent, type Actor } from '../audit/record-event';
import { currentKeys, decryptSecret, encryptSecret, keyIdOf } from '../crypto/secret-box';
import { passwordBinding } from '../requests/request-fields';
import { rotateConfigVersionKeys } from '../config-versions/rotate-version-keys';

/** Re-encrypts every stored secret with the newest key (the last of RELAYDESK_SECRET_KEYS). */
export async function rotateKeys(actor: Actor): Promise<{ reencrypted: number; newestKey: string }> {
  const keys = currentKeys();
  const newest = keys[keys.length - 1];
  if (!newest) throw new Error('RELAYDESK_SECRET_KEYS is empty');
  const rows = await db.smtpRequest.findMany({ where: { passwordCipher: { not: null } }, select: { id: true, tenantId: true, passwordCipher: true } });
  let reencrypted = 0;
  for (const row of rows) {
    if (!row.passwordCipher || keyIdOf(row.passwordCipher) === newest.id) continue;
    const binding = passwordBinding(row.tenantId, row.id);
    const cipher = encryptSecret(decryptSecret(row.passwordCipher, binding, keys), binding, keys);
    // Only replace what we read: a concurrent edit wins and keeps its own (already newest-key) cipher.
    const { count } = await db.smtpRequest.updateMany({ where: { id: row.id, passwordCipher: row.passwordCipher }, data: { passwordCipher: cipher } });
    reencrypted += count;
  }
  reencrypted += await rotateConfigVersionKeys(keys);
  await db.$transaction((tx) => recordEvent(tx, actor, { action: 'secrets.rotated', targetType: 'system', after: { reencrypted, newestKey: newest.id } }));
  return { reencrypted, newestKey: newest.id };
}
