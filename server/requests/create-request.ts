import 'server-only';
import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { AppError } from '../app-error';
import { SmtpRequestSchema, fieldErrors } from '@/lib/smtp-request-schema';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { requirePermission } from '../authz/scopes';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { encryptSecret } from '../crypto/secret-box';
import { configFingerprint } from './fingerprint';
import { nextRequestNumber } from './next-number';
import { REQUEST_INCLUDE, toRequestView, type RequestView } from './request-view';
import { passwordBinding, auditableFields } from './request-fields';

export async function createRequest(user: CurrentUser, body: unknown, meta?: RequestMeta): Promise<RequestView> {
  requirePermission(user, 'request.create');
  const parsed = SmtpRequestSchema.safeParse(body);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'The request has invalid fields.', { errors: fieldErrors(parsed.error) });
  const { password, ...data } = parsed.data;
  const tenantId = user.tenantId;
  if (!tenantId) throw new AppError('FORBIDDEN', 'Your account belongs to no tenant.');

  const id = randomUUID();
  const hasSecret = data.authMethod !== 'none' && !!password;
  const secretStamp = hasSecret ? randomUUID() : null;
  const passwordCipher = hasSecret ? encryptSecret(password!, passwordBinding(tenantId, id)) : null;
  const username = data.authMethod === 'none' ? '' : data.username;
  const fields = { ...data, username };

  const row = await db.$transaction(async (tx) => {
    const number = await nextRequestNumber(tx);
    const created = await tx.smtpRequest.create({
      data: { id, number, tenantId, status: 'submitted', ...fields, passwordCipher, secretStamp, fingerprint: configFingerprint({ ...fields, secretStamp }), createdById: user.id },
      include: REQUEST_INCLUDE,
    });
    await recordEvent(tx, actorOf(user, meta), {
      action: 'request.created',
      tenantId,
      targetType: 'smtp-request',
      targetId: id,
      after: { ...auditableFields(created), password: hasSecret ? 'set' : 'not set' },
    });
    return created;
  });
  return toRequestView(row);
}
