import 'server-only';
// Writes version N+1 of a tenant's configuration inside the caller's transaction and makes it active.
// Every activation is a new version, so the active version is always the tenant's highest one.
import { randomUUID } from 'node:crypto';
import type { ConfigContentInput, SecretValues } from '@/lib/smtp-config-model';
import type { Tx } from '../db';
import { AppError } from '../app-error';
import { sealSecrets } from '../requests/secret-columns';
import { versionSecretBinding } from './version-binding';

export type VersionSource = 'apply' | 'rollback' | 'auto-rollback';

export type NewVersion = {
  tenantId: string;
  content: ConfigContentInput;
  /** Plaintext, re-encrypted for the new version (bound to it); the secrets the configuration has. */
  secrets: SecretValues;
  fingerprint: string;
  source: VersionSource;
  requestId: string | null;
  appliedById: string | null;
  copiedFrom: number | null;
};

export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'P2002';
}

export async function latestVersionNumber(tx: Tx, tenantId: string): Promise<number> {
  const max = await tx.configVersion.aggregate({ where: { tenantId }, _max: { version: true } });
  return max._max.version ?? 0;
}

export async function createConfigVersion(tx: Tx, input: NewVersion) {
  const version = (await latestVersionNumber(tx, input.tenantId)) + 1;
  let row;
  try {
    row = await tx.configVersion.create({
      data: {
        id: randomUUID(),
        tenantId: input.tenantId,
        version,
        requestId: input.requestId,
        source: input.source,
        ...input.content,
        ...sealSecrets(input.secrets, (k) => versionSecretBinding(input.tenantId, version, k)),
        fingerprint: input.fingerprint,
        appliedById: input.appliedById,
        appliedAt: new Date(),
        copiedFrom: input.copiedFrom,
      },
    });
  } catch (error) {
    // (tenantId, version) is unique: a concurrent apply or rollback took this number first.
    if (isUniqueViolation(error)) throw new AppError('CONFLICT', 'Another configuration change of this tenant happened at the same time. Reload and try again.');
    throw error;
  }
  // Activating clears a pause: the new version is what the TAM wants tried.
  await tx.tenantPipeline.upsert({
    where: { tenantId: input.tenantId },
    create: { tenantId: input.tenantId, activeVersion: version },
    update: { activeVersion: version, paused: false, pausedReason: null, pausedAt: null },
  });
  return row;
}
