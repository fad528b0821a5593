import 'server-only';
// What differs between two versions of a tenant's configuration. The password is compared inside the
// server (both decrypted, compared in constant time) and only ever reported as changed or unchanged.
import { timingSafeEqual, createHash } from 'node:crypto';
import { db } from '../db';
import { AppError } from '../app-error';
import type { CurrentUser } from '../auth/current-user';
import { decryptSecret } from '../crypto/secret-box';
import { CONFIG_CONTENT_FIELDS, type ConfigVersionView } from './config-version-view';
import { configVersionBinding } from './version-binding';
import { getSmtpConfig } from './list-config-versions';

export type FieldChange = { field: string; before: string | number | boolean; after: string | number | boolean; changed: boolean };

function samePassword(tenantId: string, a: { version: number; passwordCipher: string | null }, b: { version: number; passwordCipher: string | null }): boolean {
  if (!a.passwordCipher || !b.passwordCipher) return a.passwordCipher === b.passwordCipher;
  const digest = (v: { version: number; passwordCipher: string | null }) =>
    createHash('sha256').update(decryptSecret(v.passwordCipher!, configVersionBinding(tenantId, v.version))).digest();
  return timingSafeEqual(digest(a), digest(b));
}

export async function diffVersions(user: CurrentUser, slug: string, a: number, b: number): Promise<{ before: ConfigVersionView; after: ConfigVersionView; changes: FieldChange[] }> {
  const config = await getSmtpConfig(user, slug);
  const before = config.versions.find((v) => v.version === a);
  const after = config.versions.find((v) => v.version === b);
  if (!before || !after) throw new AppError('NOT_FOUND', 'No such version.');
  const tenant = await db.tenant.findUniqueOrThrow({ where: { slug }, select: { id: true } });
  const rows = await db.configVersion.findMany({ where: { tenantId: tenant.id, version: { in: [a, b] } }, select: { version: true, passwordCipher: true } });
  const cipherOf = (v: number) => rows.find((r) => r.version === v) ?? { version: v, passwordCipher: null };
  const changes: FieldChange[] = CONFIG_CONTENT_FIELDS.map((f) => ({ field: f, before: before[f], after: after[f], changed: before[f] !== after[f] }));
  const same = samePassword(tenant.id, cipherOf(a), cipherOf(b));
  changes.push({ field: 'password', before: before.hasPassword ? 'set' : 'not set', after: same ? 'unchanged' : after.hasPassword ? 'changed' : 'not set', changed: !same });
  return { before, after, changes };
}
