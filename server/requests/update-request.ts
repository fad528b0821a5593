import 'server-only';
import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { AppError } from '../app-error';
import { SmtpRequestPatchSchema, fieldErrors } from '@/lib/smtp-request-schema';
import {
  REQUEST_FIELDS,
  SECRET_FIELDS,
  cipherColumn,
  destinationChanged,
  keptSecrets,
  requestContentOf,
  secretFlagsOf,
  secretsUsedBy,
  smtpRequestSchema,
  splitSecrets,
  type SecretColumns,
} from '@/lib/smtp-config-model';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { requirePermission } from '../authz/scopes';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { configFingerprint } from './fingerprint';
import { findVisibleRequest } from './get-request';
import { REQUEST_INCLUDE, toRequestView, type RequestView } from './request-view';
import { requestSecretBinding } from './request-fields';
import { sealSecrets, secretAudit, secretColumnsOf } from './secret-columns';
import { oauthCredentialErrors } from './check-oauth-credentials';
import { canEditStatus } from '@/lib/request-status';

/**
 * Edits a request while the customer holds it. A changed destination or identity (DESTINATION_FIELDS) drops
 * every stored secret: the new destination must never receive the old one, so it must be typed again.
 * Editing in needs_info answers the TAM: the request goes back to review with its TAM.
 */
export async function updateRequest(user: CurrentUser, id: string, body: unknown, meta?: RequestMeta): Promise<RequestView> {
  // Another tenant's request is "not found" whatever the role; then the role must allow editing.
  const current = await findVisibleRequest(user, id);
  requirePermission(user, 'request.edit');
  const parsed = SmtpRequestPatchSchema.safeParse(body);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'The request has invalid fields.', { errors: fieldErrors(parsed.error) });
  if (!canEditStatus(current.status)) {
    throw new AppError('INVALID_TRANSITION', `A request can be edited only while submitted or waiting for information; this one is ${current.status}.`);
  }
  const { secrets: typed, fields: patch } = splitSecrets(parsed.data);
  const before = requestContentOf(current);
  const merged = { ...before, ...patch };
  const stored = secretFlagsOf(current);
  const kept = keptSecrets(stored, before, merged);

  // The merged result must satisfy the request schema, with the stored secrets it keeps counting as given.
  const full = smtpRequestSchema(kept).safeParse({ ...merged, ...typed });
  if (!full.success) {
    const moved = destinationChanged(before, merged);
    const errors = fieldErrors(full.error).map((e) => {
      const k = SECRET_FIELDS.find((f) => f === e.path);
      return k && moved && current[cipherColumn(k)] !== null ? { path: k, message: k === 'password' ? 'passwordRetype' : 'secretRetype' } : e;
    });
    throw new AppError('VALIDATION_FAILED', 'The request has invalid fields.', { errors });
  }
  const { secrets: fresh, fields: data } = splitSecrets(full.data);
  const credentialErrors = oauthCredentialErrors(data, fresh);
  if (credentialErrors.length) throw new AppError('VALIDATION_FAILED', 'The request has invalid fields.', { errors: credentialErrors });

  // Each secret the configuration uses: newly typed, kept as stored, or gone.
  const sealed = sealSecrets(fresh, (k) => requestSecretBinding(current.tenantId, id, k));
  const ciphers = { ...sealed } as SecretColumns;
  for (const k of secretsUsedBy(data)) if (!fresh[k] && kept[k]) ciphers[cipherColumn(k)] = current[cipherColumn(k)];
  const anyKept = SECRET_FIELDS.some((k) => ciphers[cipherColumn(k)] !== null);
  const secretStamp = Object.keys(fresh).length > 0 ? randomUUID() : anyKept ? current.secretStamp : null;
  const status = current.status === 'needs_info' ? 'in_review' : current.status;

  const changes = secretAudit(secretColumnsOf(current), ciphers, fresh);
  const beforeEvent: Record<string, unknown> = {};
  const afterEvent: Record<string, unknown> = {};
  for (const k of REQUEST_FIELDS) {
    if (data[k] !== before[k]) {
      beforeEvent[k] = before[k];
      afterEvent[k] = data[k];
    }
  }
  Object.assign(beforeEvent, changes.before);
  Object.assign(afterEvent, changes.after);
  if (status !== current.status) {
    beforeEvent.status = current.status;
    afterEvent.status = status;
  }

  const row = await db.$transaction(async (tx) => {
    // Optimistic concurrency: the row must still be as we read it.
    const { count } = await tx.smtpRequest.updateMany({
      where: { id, updatedAt: current.updatedAt, status: current.status },
      data: { ...data, ...ciphers, secretStamp, status, fingerprint: configFingerprint({ ...data, secretStamp }) },
    });
    if (count === 0) throw new AppError('CONFLICT', 'The request changed while you were editing it. Reload and try again.');
    await recordEvent(tx, actorOf(user, meta), {
      action: 'request.edited',
      tenantId: current.tenantId,
      targetType: 'smtp-request',
      targetId: id,
      before: beforeEvent,
      after: afterEvent,
    });
    return tx.smtpRequest.findUniqueOrThrow({ where: { id }, include: REQUEST_INCLUDE });
  });
  return toRequestView(row);
}
