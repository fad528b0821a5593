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
import { probeConfigOf } from '../requests/probe-config';
import { secretFragments } from '../requests/secret-columns';
import { runProbe } from '../smtp/probe';
import { sandboxDeliveredMessage } from '../sandbox/delivered-message';
import { redactSecrets, secretForms } from '../smtp/redact';
import type { ProbeKind, ProbeStep } from '../smtp/types';
import { probeSettings } from './probe-settings';
import { destinationBudgetKey, takeProbeBudget } from './rate-limit';
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

function isSandbox(host: string, port: number): boolean {
  return process.env.RELAYDESK_DEMO === '1' && ['localhost', '127.0.0.1', '::1'].includes(host) && String(port) === process.env.SANDBOX_PORT;
}

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
  const settings = probeSettings();
  // Resolved once: the budget is keyed on the address, and the probe connects to exactly that address.
  const { key: destinationKey, destination } = await destinationBudgetKey(request.host, request.port, {
    allowedHosts: settings.allowedHosts,
    allowedPorts: settings.allowedPorts,
    timeoutMs: settings.timeoutMs,
    signal: options.signal,
  });
  await takeProbeBudget({ tam: user.id, tenant: request.tenantId, destination: destinationKey });

  const { config, secrets: typed } = probeConfigOf(request);
  const result = await runProbe(config, {
    ...(destination ? { destination } : {}),
    kind: options.kind,
    to: recipient,
    signal: options.signal,
    onStep: options.onStep,
    allowedHosts: settings.allowedHosts,
    allowedPorts: settings.allowedPorts,
    trustedCa: settings.trustedCa,
    timeoutMs: settings.timeoutMs,
    locale: options.locale,
    // The sending domain (issue 15); only the sandbox lets us see the delivered message.
    domainCheck: { ...(isSandbox(request.host, request.port) ? { deliveredMessage: (messageId: string) => sandboxDeliveredMessage(messageId) } : {}) },
  });

  // The probe redacts as it records; this second pass guards what is stored against any path it missed.
  const fragments = secretFragments(typed);
  const secrets = [...new Set((fragments.length ? fragments : ['']).flatMap((secret) => secretForms(config.username, secret)))].sort((a, b) => b.length - a.length);
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
