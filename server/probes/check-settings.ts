import 'server-only';
// A customer admin checks their settings before the TAM does (issue 14): a validation — the same
// conversation as the TAM's, never through DATA — with what is in the form (before filing) or with a
// request's stored secrets (while they hold it). Same destination guard, the tenant's and destination's
// budgets plus their own, audited without secrets. A passing check before filing is attached to the
// request filed with exactly those settings, so the TAM sees it (docs/decisions/023).
import { createHmac, randomUUID } from 'node:crypto';
import { db, type Tx } from '../db';
import { AppError } from '../app-error';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { requestsVisibleTo, requirePermission } from '../authz/scopes';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { canonicalJson } from '../audit/canonical';
import { currentKeys } from '../crypto/secret-box';
import { SmtpRequestSchema, fieldErrors } from '@/lib/smtp-request-schema';
import { configContentOf, splitSecrets, type ConfigContent, type SecretValues } from '@/lib/smtp-config-model';
import { canCheckStatus } from '@/lib/request-status';
import { oauthCredentialErrors } from '../requests/check-oauth-credentials';
import { configFingerprint } from '../requests/fingerprint';
import { probeConfigFrom, probeConfigOf, type ProbeConfig } from '../requests/probe-config';
import type { ProbeStep } from '../smtp/types';
import { guardedProbe } from './guarded-probe';
import { toProbeRunView, type ProbeRunView } from './probe-run-view';

/** How long a passing check before filing still counts for the request filed after it. */
export const CHECK_ATTACH_WINDOW_MS = 60 * 60_000;

export type CheckOptions = {
  signal?: AbortSignal;
  onStep?: (step: ProbeStep) => void;
  meta?: RequestMeta;
  locale?: 'en' | 'zh-CN';
};

/**
 * The fingerprint of settings not yet filed. A request's fingerprint takes its secrets through a random
 * stamp; a check has none yet, so its stamp is a keyed digest of the typed secrets: the request filed with
 * the same settings and secrets computes the same one, and nobody without the server's key can test a
 * guess against it (it is never shown: the run takes the request's fingerprint when attached).
 */
export function checkFingerprint(content: ConfigContent, secrets: SecretValues): string {
  const typed = Object.fromEntries(Object.entries(secrets).filter(([, v]) => v));
  const key = currentKeys().at(-1)!.key;
  const stamp = Object.keys(typed).length ? `check:${createHmac('sha256', key).update('relaydesk-check\0').update(canonicalJson(typed)).digest('hex').slice(0, 32)}` : null;
  return configFingerprint({ ...content, secretStamp: stamp });
}

/** POST /api/v1/smtp-checks: the settings in the body, before any request exists. */
export async function checkSettings(user: CurrentUser, body: unknown, options: CheckOptions = {}): Promise<ProbeRunView> {
  requirePermission(user, 'request.check');
  const tenantId = user.tenantId;
  if (!tenantId) throw new AppError('FORBIDDEN', 'Your account belongs to no tenant.');
  const parsed = SmtpRequestSchema.safeParse(body);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'The settings have invalid fields.', { errors: fieldErrors(parsed.error) });
  const { secrets, fields } = splitSecrets(parsed.data);
  const credentialErrors = oauthCredentialErrors(fields, secrets);
  if (credentialErrors.length) throw new AppError('VALIDATION_FAILED', 'The settings have invalid fields.', { errors: credentialErrors });
  const content = configContentOf(fields);
  const id = randomUUID();
  const row = await checkAndRecord(user, probeConfigFrom(content, secrets), secrets, options, {
    id,
    tenantId,
    requestId: null,
    fingerprint: checkFingerprint(content, secrets),
    target: { targetType: 'probe-run', targetId: id },
  });
  return toProbeRunView(row, row.fingerprint, { byCustomer: true });
}

/** POST /api/v1/smtp-requests/{id}/check: a request the customer holds, with its stored secrets. */
export async function checkRequestSettings(user: CurrentUser, requestId: string, options: CheckOptions = {}): Promise<ProbeRunView> {
  const request = await db.smtpRequest.findFirst({ where: { id: requestId, ...requestsVisibleTo(user) } });
  if (!request) throw new AppError('NOT_FOUND', 'No such request.');
  requirePermission(user, 'request.check');
  if (!canCheckStatus(request.status)) {
    throw new AppError('INVALID_TRANSITION', `You can check a request's settings while it is submitted or needs information; it is ${request.status}.`);
  }
  const { config, secrets } = probeConfigOf(request);
  const row = await checkAndRecord(user, config, secrets, options, {
    id: randomUUID(),
    tenantId: request.tenantId,
    requestId: request.id,
    fingerprint: request.fingerprint,
    target: { targetType: 'smtp-request', targetId: request.id },
  });
  return toProbeRunView(row, request.fingerprint, { byCustomer: true });
}

type Record_ = { id: string; tenantId: string; requestId: string | null; fingerprint: string; target: { targetType: string; targetId: string } };

async function checkAndRecord(user: CurrentUser, config: ProbeConfig, secrets: SecretValues, options: CheckOptions, record: Record_) {
  const { result, seal } = await guardedProbe(config, secrets, {
    kind: 'validate',
    signal: options.signal,
    onStep: options.onStep,
    locale: options.locale,
    budget: { customer: user.id, tenant: record.tenantId },
  });
  return db.$transaction(async (tx) => {
    const created = await tx.probeRun.create({
      data: {
        id: record.id,
        requestId: record.requestId,
        tenantId: record.tenantId,
        kind: 'validate',
        ok: result.ok,
        fingerprint: record.fingerprint,
        recipient: config.testRecipient,
        startedAt: new Date(result.startedAt),
        durationMs: result.durationMs,
        steps: seal(result.steps),
        transcript: seal(result.transcript),
        tls: result.tls ? seal(result.tls) : null,
        capabilities: result.capabilities ? seal(result.capabilities) : null,
        messageId: null,
        finalReply: result.finalReply ?? null,
        actorId: user.id,
      },
    });
    const failed = result.steps.find((s) => !s.ok);
    await recordEvent(tx, actorOf(user, options.meta), {
      action: 'probe.checked',
      tenantId: record.tenantId,
      ...record.target,
      after: {
        probeRunId: record.id,
        ok: result.ok,
        host: config.host,
        port: config.port,
        ...(record.requestId ? { fingerprint: record.fingerprint } : {}),
        failedStep: failed?.step ?? null,
        diagnosis: failed?.hint?.code ?? null,
        field: failed?.field ?? null,
      },
    });
    return created;
  });
}

/**
 * Inside the transaction that files a request: the filer's latest passing check of exactly these
 * settings, recent and not yet attached, becomes the request's (with the request's fingerprint, the same
 * settings under their stored name). Returns its id, for the request.created event.
 */
export async function attachPassingCheck(
  tx: Tx,
  filed: { requestId: string; tenantId: string; actorId: string; content: ConfigContent; secrets: SecretValues; fingerprint: string },
  now = Date.now(),
): Promise<string | null> {
  const run = await tx.probeRun.findFirst({
    where: {
      requestId: null,
      tenantId: filed.tenantId,
      actorId: filed.actorId,
      kind: 'validate',
      fingerprint: checkFingerprint(filed.content, filed.secrets),
      startedAt: { gte: new Date(now - CHECK_ATTACH_WINDOW_MS) },
    },
    orderBy: { startedAt: 'desc' },
    select: { id: true, ok: true },
  });
  // Only the latest check of these settings speaks for them: a pass followed by a failure attaches nothing.
  if (!run?.ok) return null;
  const { count } = await tx.probeRun.updateMany({ where: { id: run.id, requestId: null }, data: { requestId: filed.requestId, fingerprint: filed.fingerprint } });
  return count === 1 ? run.id : null;
}
