import 'server-only';
// A TAM's validation or test-send of a request: checks who may probe, spends the rate budget, runs the
// SMTP conversation with the decrypted password, then stores the run, audits it and moves the request
// forward — only when the run tested the request's current configuration.
import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { AppError } from '../app-error';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { requestsVisibleTo, requirePermission } from '../authz/scopes';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { decryptSecret } from '../crypto/secret-box';
import { passwordBinding } from '../requests/request-fields';
import { runProbe } from '../smtp/probe';
import { redactSecrets, secretForms } from '../smtp/redact';
import type { ProbeKind, ProbeStep, SmtpConfig } from '../smtp/types';
import { probeSettings } from './probe-settings';
import { destinationKey, takeProbeBudget } from './rate-limit';
import { toProbeRunView, type ProbeRunView } from './probe-run-view';

const PROBEABLE_STATUSES = ['in_review', 'validated', 'tested'];

// Where a successful run moves the request (from → to); other statuses stay.
const ADVANCE: Record<ProbeKind, Record<string, string>> = {
  validate: { in_review: 'validated' },
  'test-send': { in_review: 'tested', validated: 'tested' },
};

export type ProbeRequestOptions = {
  kind: ProbeKind;
  to?: string;
  signal?: AbortSignal;
  onStep?: (step: ProbeStep) => void;
  meta?: RequestMeta;
  locale?: 'en' | 'zh-CN';
};

export async function runRequestProbe(user: CurrentUser, requestId: string, options: ProbeRequestOptions): Promise<ProbeRunView> {
  const request = await db.smtpRequest.findFirst({ where: { id: requestId, ...requestsVisibleTo(user) } });
  if (!request) throw new AppError('NOT_FOUND', 'No such request.');
  requirePermission(user, 'request.probe');
  if (!PROBEABLE_STATUSES.includes(request.status)) {
    throw new AppError('INVALID_TRANSITION', `Take the request (in review) before probing; it is ${request.status}.`);
  }
  const recipient = options.kind === 'test-send' ? (options.to?.trim() || request.testRecipient) : request.testRecipient;
  if (options.kind === 'test-send' && recipient !== request.testRecipient && recipient.toLowerCase() !== user.email.toLowerCase()) {
    throw new AppError('VALIDATION_FAILED', 'A test email goes to the request’s test recipient or to your own address.', { errors: [{ path: 'to', message: 'invalid' }] });
  }
  await takeProbeBudget({ tam: user.id, tenant: request.tenantId, destination: await destinationKey(request.host, request.port) });

  const password = request.passwordCipher ? decryptSecret(request.passwordCipher, passwordBinding(request.tenantId, request.id)) : '';
  const config: SmtpConfig = {
    host: request.host,
    port: request.port,
    encryption: request.encryption as SmtpConfig['encryption'],
    authMethod: request.authMethod as SmtpConfig['authMethod'],
    username: request.username,
    password,
    heloDomain: request.heloDomain,
    noReplyAddress: request.noReplyAddress,
    noReplyName: request.noReplyName,
    testRecipient: request.testRecipient,
  };
  const settings = probeSettings();
  const result = await runProbe(config, {
    kind: options.kind,
    to: recipient,
    signal: options.signal,
    onStep: options.onStep,
    allowedHosts: settings.allowedHosts,
    allowedPorts: settings.allowedPorts,
    trustedCa: settings.trustedCa,
    timeoutMs: settings.timeoutMs,
    locale: options.locale,
  });

  // The probe redacts as it records; this second pass guards what is stored against any path it missed.
  const secrets = secretForms(config.username, password);
  const seal = (value: unknown) => redactSecrets(JSON.stringify(value), secrets);
  const id = randomUUID();
  const actor = actorOf(user, options.meta);
  const row = await db.$transaction(async (tx) => {
    const created = await tx.probeRun.create({
      data: {
        id,
        requestId: request.id,
        tenantId: request.tenantId,
        kind: options.kind,
        ok: result.ok,
        fingerprint: request.fingerprint,
        recipient,
        startedAt: new Date(result.startedAt),
        durationMs: result.durationMs,
        steps: seal(result.steps),
        transcript: seal(result.transcript),
        tls: result.tls ? seal(result.tls) : null,
        capabilities: result.capabilities ? seal(result.capabilities) : null,
        messageId: result.messageId ?? null,
        finalReply: result.finalReply ?? null,
        actorId: user.id,
      },
    });
    const failed = result.steps.find((s) => !s.ok);
    await recordEvent(tx, actor, {
      action: options.kind === 'validate' ? 'probe.validated' : 'probe.test_sent',
      tenantId: request.tenantId,
      targetType: 'smtp-request',
      targetId: request.id,
      after: { probeRunId: id, ok: result.ok, fingerprint: request.fingerprint, recipient, failedStep: failed?.step ?? null, diagnosis: failed?.hint?.code ?? null },
    });
    const next = ADVANCE[options.kind][request.status];
    if (result.ok && next) {
      // Only if nobody edited or moved the request while the probe ran.
      const { count } = await tx.smtpRequest.updateMany({ where: { id: request.id, fingerprint: request.fingerprint, status: request.status }, data: { status: next } });
      if (count === 1) {
        await recordEvent(tx, actor, { action: 'request.status_changed', tenantId: request.tenantId, targetType: 'smtp-request', targetId: request.id, before: { status: request.status }, after: { status: next, probeRunId: id } });
      }
    }
    return created;
  });
  return toProbeRunView(row, request.fingerprint);
}
