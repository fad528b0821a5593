import 'server-only';
import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { AppError } from '../app-error';
import { SmtpRequestSchema, fieldErrors } from '@/lib/smtp-request-schema';
import { splitSecrets } from '@/lib/smtp-config-model';
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
    const created = await tx.smtpRequest.create({
      data: { id, number, tenantId, status: 'submitted', ...fields, ...ciphers, secretStamp, fingerprint: configFingerprint({ ...fields, secretStamp }), createdById: user.id },
      include: REQUEST_INCLUDE,
    });
    await recordEvent(tx, actorOf(user, meta), {
      action: 'request.created',
      tenantId,
      targetType: 'smtp-request',
      targetId: id,
      after: { ...auditableFields(created), ...secretAudit(null, ciphers, secrets).after },
    });
    return created;
  });
  return toRequestView(row);
}
