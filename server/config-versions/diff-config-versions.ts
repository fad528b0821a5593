import 'server-only';
// What differs between two versions of a tenant's configuration. Secrets are compared inside the server
// (both decrypted, compared in constant time) and only ever reported as changed or unchanged.
import { timingSafeEqual, createHash } from 'node:crypto';
import { CONFIG_FIELDS, SECRET_FIELDS, cipherColumn, secretFlag, type SecretColumns, type SecretField } from '@/lib/smtp-config-model';
import { db } from '../db';
import { AppError } from '../app-error';
import type { CurrentUser } from '../auth/current-user';
import { decryptSecret } from '../crypto/secret-box';
import type { ConfigVersionView } from './config-version-view';
import { versionSecretBinding } from './version-binding';
import { getSmtpConfig } from './list-config-versions';

export type FieldChange = { field: string; before: string | number | boolean | null; after: string | number | boolean | null; changed: boolean };

type Sealed = { version: number } & SecretColumns;

function sameSecret(tenantId: string, field: SecretField, a: Sealed, b: Sealed): boolean {
  const ca = a[cipherColumn(field)];
  const cb = b[cipherColumn(field)];
  if (!ca || !cb) return ca === cb;
  const digest = (cipher: string, version: number) =>
    createHash('sha256')
      .update(decryptSecret(cipher, versionSecretBinding(tenantId, version, field)))
      .digest();
  return timingSafeEqual(digest(ca, a.version), digest(cb, b.version));
}

export async function diffVersions(
  user: CurrentUser,
  slug: string,
  a: number,
  b: number,
): Promise<{ before: ConfigVersionView; after: ConfigVersionView; changes: FieldChange[] }> {
  const config = await getSmtpConfig(user, slug);
  const before = config.versions.find((v) => v.version === a);
  const after = config.versions.find((v) => v.version === b);
  if (!before || !after) throw new AppError('NOT_FOUND', 'No such version.');
  const tenant = await db.tenant.findUniqueOrThrow({ where: { slug }, select: { id: true } });
  const rows = await db.configVersion.findMany({ where: { tenantId: tenant.id, version: { in: [a, b] } } });
  const sealed = (v: number): Sealed => rows.find((r) => r.version === v)!;
  // Fields neither version uses (null on both sides) are not listed.
  const changes: FieldChange[] = CONFIG_FIELDS.filter((f) => before[f] !== null || after[f] !== null).map((f) => ({
    field: f,
    before: before[f],
    after: after[f],
    changed: before[f] !== after[f],
  }));
  for (const f of SECRET_FIELDS) {
    const flag = secretFlag(f);
    if (f !== 'password' && !before[flag] && !after[flag]) continue;
    const same = sameSecret(tenant.id, f, sealed(a), sealed(b));
    changes.push({ field: f, before: before[flag] ? 'set' : 'not set', after: same ? 'unchanged' : after[flag] ? 'changed' : 'not set', changed: !same });
  }
  return { before, after, changes };
}
