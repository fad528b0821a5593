import 'server-only';
// Rollback: version N+1 with the content (and secrets) of an earlier version, active at once.
// The worker's auto-rollback after a failed canary goes through copyVersion too.
import { z } from 'zod';
import { db, type Tx } from '../db';
import { AppError } from '../app-error';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { recordEvent, type Actor } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { configContentOf } from '@/lib/smtp-config-model';
import { openSecrets } from '../requests/secret-columns';
import { parseOrThrow } from '../core/parse';
import { findVisibleTenant } from '../tenants/find-visible-tenant';
import { createConfigVersion, latestVersionNumber, type VersionSource } from './create-config-version';
import { versionSecretBinding } from './version-binding';
import { toConfigVersionView, type ConfigVersionView } from './config-version-view';

export const RollbackSchema = z.object({ version: z.coerce.number({ message: 'required' }).int('invalid').min(1, 'invalid') }).strict();

type Copy = { tenantId: string; from: number; source: Exclude<VersionSource, 'apply'>; actor: Actor; appliedById: string | null; reason?: string };

export async function copyVersion(tx: Tx, { tenantId, from, source, actor, appliedById, reason }: Copy) {
  const old = await tx.configVersion.findUnique({ where: { tenantId_version: { tenantId, version: from } } });
  if (!old) throw new AppError('NOT_FOUND', `Version ${from} does not exist.`, { errors: [{ path: 'version', message: 'invalid' }] });
  const current = await latestVersionNumber(tx, tenantId);
  const created = await createConfigVersion(tx, {
    tenantId,
    content: configContentOf(old),
    secrets: openSecrets(old, (k) => versionSecretBinding(tenantId, old.version, k)),
    fingerprint: old.fingerprint,
    source,
    requestId: old.requestId,
    appliedById,
    copiedFrom: old.version,
  });
  await recordEvent(tx, actor, {
    action: source === 'rollback' ? 'config.rolled_back' : 'config.auto_rolled_back',
    tenantId,
    targetType: 'config-version',
    targetId: created.id,
    before: { version: current },
    after: { version: created.version, copiedFrom: old.version, ...(reason ? { reason } : {}) },
  });
  return created;
}

export async function rollbackConfig(user: CurrentUser, slug: string, body: unknown, meta?: RequestMeta): Promise<ConfigVersionView> {
  const tenant = await findVisibleTenant(user, slug, 'config.apply');
  const { version } = parseOrThrow(RollbackSchema, body);
  const row = await db.$transaction(async (tx) => {
    const active = (await tx.tenantPipeline.findUnique({ where: { tenantId: tenant.id } }))?.activeVersion ?? null;
    if (active === version) throw new AppError('CONFLICT', `Version ${version} is already the active one.`, { errors: [{ path: 'version', message: 'invalid' }] });
    return copyVersion(tx, { tenantId: tenant.id, from: version, source: 'rollback', actor: actorOf(user, meta), appliedById: user.id });
  });
  return toConfigVersionView({ ...row, appliedBy: { name: user.name, email: user.email } });
}
