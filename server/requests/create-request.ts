import 'server-only';
import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { AppError } from '../app-error';
import { SmtpRequestSchema, fieldErrors } from '@/lib/smtp-request-schema';
import { configContentOf, splitSecrets } from '@/lib/smtp-config-model';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { requirePermission } from '../authz/scopes';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { configFingerprint } from './fingerprint';
import { nextRequestNumber } from './next-number';
import { REQUEST_INCLUDE, toRequestView, type RequestView } from './request-view';
import { requestSecretBinding, auditableFields } from './request-fields';
import { sealSecrets, secretAudit } from './secret-columns';
import { oauthCredentialErrors } from './check-oauth-credentials';
import { attachPassingCheck } from '../probes/check-settings';

export async function createRequest(user: CurrentUser, body: unknown, meta?: RequestMeta): Promise<RequestView> {
  requirePermission(user, 'request.create');
  const parsed = SmtpRequestSchema.safeParse(body);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'The request has invalid fields.', { errors: fieldErrors(parsed.error) });
  const { secrets, fields } = splitSecrets(parsed.data);
  const credentialErrors = oauthCredentialErrors(fields, secrets);
  if (credentialErrors.length) throw new AppError('VALIDATION_FAILED', 'The request has invalid fields.', { errors: credentialErrors });
  const tenantId = user.tenantId;
  if (!tenantId) throw new AppError('FORBIDDEN', 'Your account belongs to no tenant.');

  const id = randomUUID();
  const ciphers = sealSecrets(secrets, (k) => requestSecretBinding(tenantId, id, k));
  const secretStamp = Object.keys(secrets).length > 0 ? randomUUID() : null;

  const row = await db.$transaction(async (tx) => {
    const number = await nextRequestNumber(tx);
    const fingerprint = configFingerprint({ ...fields, secretStamp });
    const created = await tx.smtpRequest.create({
      data: { id, number, tenantId, status: 'submitted', ...fields, ...ciphers, secretStamp, fingerprint, createdById: user.id },
      include: REQUEST_INCLUDE,
    });
    // A passing check of exactly these settings, just before filing, comes with the request (issue 14).
    const checkRunId = await attachPassingCheck(tx, { requestId: id, tenantId, actorId: user.id, content: configContentOf(fields), secrets, fingerprint });
    await recordEvent(tx, actorOf(user, meta), {
      action: 'request.created',
      tenantId,
      targetType: 'smtp-request',
      targetId: id,
      after: { ...auditableFields(created), ...secretAudit(null, ciphers, secrets).after, ...(checkRunId ? { checkRunId } : {}) },
    });
    return created;
  });
  return toRequestView(row);
}
