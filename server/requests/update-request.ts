import 'server-only';
import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { AppError } from '../app-error';
import { SmtpRequestPatchSchema, SmtpRequestSchema, DESTINATION_FIELDS, fieldErrors } from '@/lib/smtp-request-schema';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { requirePermission } from '../authz/scopes';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { encryptSecret } from '../crypto/secret-box';
import { configFingerprint } from './fingerprint';
import { findVisibleRequest } from './get-request';
import { REQUEST_INCLUDE, toRequestView, type RequestView } from './request-view';
import { EDITABLE_FIELDS, passwordBinding } from './request-fields';
import { canEditStatus } from '@/lib/request-status';

/**
 * Edits a request while the customer holds it. A changed destination (host, port, encryption, username)
 * drops the stored password: the new destination must never receive the old one, so it must be typed again.
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
  const { password, ...patch } = parsed.data;
  const merged = { ...Object.fromEntries(EDITABLE_FIELDS.map((k) => [k, current[k]])), ...patch };
  if (merged.authMethod === 'none') merged.username = '';
  const destinationChanged = DESTINATION_FIELDS.some((k) => merged[k] !== current[k]);
  const keepsPassword = merged.authMethod !== 'none' && !password && !destinationChanged && current.passwordCipher !== null;

  // The merged result must satisfy the create schema, with the password rule applied to what will be stored.
  const full = SmtpRequestSchema.safeParse({ ...merged, password: password || (keepsPassword ? 'kept' : undefined) });
  if (!full.success) {
    const errors = fieldErrors(full.error).map((e) =>
      e.path === 'password' && destinationChanged && current.passwordCipher ? { path: 'password', message: 'passwordRetype' } : e,
    );
    throw new AppError('VALIDATION_FAILED', 'The request has invalid fields.', { errors });
  }

  const newSecret = merged.authMethod !== 'none' && !!password;
  const passwordCipher = newSecret ? encryptSecret(password!, passwordBinding(current.tenantId, id)) : keepsPassword ? current.passwordCipher : null;
  const secretStamp = newSecret ? randomUUID() : keepsPassword ? current.secretStamp : null;
  const data = Object.fromEntries(EDITABLE_FIELDS.map((k) => [k, full.data[k]])) as Record<(typeof EDITABLE_FIELDS)[number], never>;
  const status = current.status === 'needs_info' ? 'in_review' : current.status;

  const before: Record<string, unknown> = {};
  const after: Record<string, unknown> = {};
  for (const k of EDITABLE_FIELDS) {
    if (full.data[k] !== current[k]) {
      before[k] = current[k];
      after[k] = full.data[k];
    }
  }
  if (newSecret || passwordCipher !== current.passwordCipher) {
    before.password = current.passwordCipher ? 'set' : 'not set';
    after.password = passwordCipher ? (newSecret ? 'changed' : 'set') : 'not set';
  }
  if (status !== current.status) {
    before.status = current.status;
    after.status = status;
  }

  const row = await db.$transaction(async (tx) => {
    // Optimistic concurrency: the row must still be as we read it.
    const { count } = await tx.smtpRequest.updateMany({
      where: { id, updatedAt: current.updatedAt, status: current.status },
      data: { ...data, passwordCipher, secretStamp, status, fingerprint: configFingerprint({ ...full.data, secretStamp }) },
    });
    if (count === 0) throw new AppError('CONFLICT', 'The request changed while you were editing it. Reload and try again.');
    await recordEvent(tx, actorOf(user, meta), { action: 'request.edited', tenantId: current.tenantId, targetType: 'smtp-request', targetId: id, before, after });
    return tx.smtpRequest.findUniqueOrThrow({ where: { id }, include: REQUEST_INCLUDE });
  });
  return toRequestView(row);
}
