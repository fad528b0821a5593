import 'server-only';
// Apply: in one transaction, version N of the tenant's configuration (its own encrypted secrets), active,
// the request applied, a canary queued through the new version, all audited. Two TAMs at once: the
// conditional update on the request (same request) or the unique (tenantId, version) (two requests)
// lets one win; the other gets CONFLICT and nothing of it is kept.
import { db } from '../db';
import { AppError } from '../app-error';
import { parseOrThrow } from '../core/parse';
import { ApplySchema } from '@/lib/smtp-request-schema';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { requestsVisibleTo, requirePermission } from '../authz/scopes';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { configContentOf } from '@/lib/smtp-config-model';
import { auditableFields, requestSecretBinding } from '../requests/request-fields';
import { openSecrets, secretAudit, secretColumnsOf } from '../requests/secret-columns';
import { enqueueCanary } from './enqueue-canary';
import { applyGate } from './apply-gate';
import { createConfigVersion, isUniqueViolation } from './create-config-version';
import { toConfigVersionView, type ConfigVersionView } from './config-version-view';

/** force + reason: the TAM applies over a later failed check or a failing sending domain; audited with the reason. */
export async function applyRequest(user: CurrentUser, requestId: string, meta?: RequestMeta, options: { force?: boolean; reason?: string } = {}): Promise<ConfigVersionView> {
  const { force = false, reason = '' } = parseOrThrow(ApplySchema, options);
  // Another tenant's request is "not found" before any role check.
  const visible = await db.smtpRequest.findFirst({ where: { id: requestId, ...requestsVisibleTo(user) }, select: { id: true } });
  if (!visible) throw new AppError('NOT_FOUND', 'No such request.');
  requirePermission(user, 'config.apply');
  try {
    const row = await db.$transaction(async (tx) => {
      const request = await tx.smtpRequest.findUniqueOrThrow({ where: { id: requestId } });
      const gate = await applyGate(request, tx, { force });
      if (!gate.ok) {
        const code = gate.reason === 'ALREADY_APPLIED' || gate.reason === 'LATER_CHECK_FAILED' ? 'CONFLICT' : 'INVALID_TRANSITION';
        throw new AppError(code, gate.message, { reason: gate.reason, ...(gate.failedRunId ? { failedRunId: gate.failedRunId } : {}) });
      }
      // Claims the request first: a concurrent apply of the same request blocks here and then finds it applied.
      const { count } = await tx.smtpRequest.updateMany({ where: { id: request.id, status: 'tested', fingerprint: request.fingerprint }, data: { status: 'applied' } });
      if (count === 0) throw new AppError('CONFLICT', 'Someone applied or changed this request at the same time. Reload and try again.', { reason: 'ALREADY_APPLIED' });
      const content = configContentOf(request);
      const created = await createConfigVersion(tx, {
        tenantId: request.tenantId,
        content,
        secrets: openSecrets(request, (k) => requestSecretBinding(request.tenantId, request.id, k)),
        fingerprint: request.fingerprint,
        source: 'apply',
        requestId: request.id,
        appliedById: user.id,
        copiedFrom: null,
      });
      const canary = await enqueueCanary(tx, request.tenantId, created);
      const actor = actorOf(user, meta);
      if (gate.forced) {
        await recordEvent(tx, actor, {
          action: 'config.apply_forced',
          tenantId: request.tenantId,
          targetType: 'smtp-request',
          targetId: request.id,
          after: { ...gate.forced, reason },
        });
      }
      await recordEvent(tx, actor, {
        action: 'request.status_changed',
        tenantId: request.tenantId,
        targetType: 'smtp-request',
        targetId: request.id,
        before: { status: 'tested' },
        after: { status: 'applied', version: created.version },
      });
      await recordEvent(tx, actor, {
        action: 'config.applied',
        tenantId: request.tenantId,
        targetType: 'config-version',
        targetId: created.id,
        after: {
          version: created.version,
          requestId: request.id,
          fingerprint: request.fingerprint,
          ...auditableFields(content),
          ...secretAudit(null, secretColumnsOf(created), {}).after,
          canaryId: canary.id,
        },
      });
      return created;
    });
    const requestRow = await db.smtpRequest.findUnique({ where: { id: requestId }, select: { id: true, number: true } });
    return toConfigVersionView({ ...row, appliedBy: { name: user.name, email: user.email }, request: requestRow });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('CONFLICT', 'Another configuration change of this tenant happened at the same time. Reload and try again.');
    throw error;
  }
}
