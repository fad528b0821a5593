import 'server-only';
import { SECRET_FIELDS, cipherColumn, type SecretColumns } from '@/lib/smtp-config-model';
import { db } from '../db';
import { recordEvent } from '../audit/record-event';
import { adminActor, type AdminCaller } from './admin-caller';
import { currentKeys, keyIdOf, reencryptSecret } from '../crypto/secret-box';
import { requestSecretBinding } from '../requests/request-fields';
import { rotateConfigVersionKeys } from '../config-versions/rotate-version-keys';
import { rotateOwnMailKeys } from '../own-mail/rotate-own-mail-keys';

/** Re-encrypts every stored secret with the newest key (the last of RELAYDESK_SECRET_KEYS). */
export async function rotateKeys(caller: AdminCaller): Promise<{ reencrypted: number; newestKey: string }> {
  const actor = adminActor(caller);
  const keys = currentKeys();
  const newest = keys[keys.length - 1];
  if (!newest) throw new Error('RELAYDESK_SECRET_KEYS is empty');
  let reencrypted = 0;
  for (const field of SECRET_FIELDS) {
    const column = cipherColumn(field);
    const rows = (await db.smtpRequest.findMany({ where: { [column]: { not: null } }, select: { id: true, tenantId: true, [column]: true } })) as unknown as ({
      id: string;
      tenantId: string;
    } & SecretColumns)[];
    for (const row of rows) {
      const old = row[column];
      if (!old || keyIdOf(old) === newest.id) continue;
      const binding = requestSecretBinding(row.tenantId, row.id, field);
      const cipher = reencryptSecret(old, binding, keys);
      // Only replace what we read: a concurrent edit wins and keeps its own (already newest-key) cipher.
      const { count } = await db.smtpRequest.updateMany({ where: { id: row.id, [column]: old }, data: { [column]: cipher } });
      reencrypted += count;
    }
  }
  reencrypted += await rotateConfigVersionKeys(keys);
  reencrypted += await rotateOwnMailKeys(keys);
  await db.$transaction((tx) => recordEvent(tx, actor, { action: 'secrets.rotated', targetType: 'system', after: { reencrypted, newestKey: newest.id } }));
  return { reencrypted, newestKey: newest.id };
}
