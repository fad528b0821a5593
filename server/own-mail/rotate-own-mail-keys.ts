import 'server-only';
// For rotate-keys: a sensitive own mail (an invitation's one-time link) keeps its text and HTML encrypted
// at rest; they are re-encrypted with the newest key like every other secret, so retiring an old key never
// leaves a queued mail that cannot be opened any more.
import { db } from '../db';
import { keyIdOf, reencryptSecret } from '../crypto/secret-box';
import type { SecretKey } from '../crypto/secret-keys';
import { ownMailBinding } from './enqueue-own-mail';

export async function rotateOwnMailKeys(keys: SecretKey[]): Promise<number> {
  const newest = keys[keys.length - 1];
  if (!newest) throw new Error('RELAYDESK_SECRET_KEYS is empty');
  const rows = await db.ownMail.findMany({ where: { sensitive: true }, select: { id: true, text: true, html: true } });
  let count = 0;
  for (const row of rows) {
    if (keyIdOf(row.text) === newest.id && keyIdOf(row.html) === newest.id) continue;
    const renew = (cipher: string, part: 'text' | 'html') => reencryptSecret(cipher, ownMailBinding(row.id, part), keys);
    // Only replace what we read (the row is otherwise never rewritten: its status changes keep the body).
    count += (await db.ownMail.updateMany({ where: { id: row.id, text: row.text, html: row.html }, data: { text: renew(row.text, 'text'), html: renew(row.html, 'html') } })).count;
  }
  return count;
}
