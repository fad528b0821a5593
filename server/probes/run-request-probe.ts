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
import type { ProbeKind, ProbeStep } from '../smtp/types';
import { canProbeStatus } from '@/lib/request-status';
import { guardedProbe } from './guarded-probe';
import { toProbeRunView, type ProbeRunView } from './probe-run-view';

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
  if (!canProbeStatus(request.status)) {
    throw new AppError('INVALID_TRANSITION', `Take the request (in review) before probing; it is ${request.status}.`);
  }
  const recipient = options.kind === 'test-send' ? options.to?.trim() || request.testRecipient : request.testRecipient;
  if (options.kind === 'test-send' && recipient !== request.testRecipient && recipient.toLowerCase() !== user.email.toLowerCase()) {
    throw new AppError('VALIDATION_FAILED', 'A test email goes to the request’s test recipient or to your own address.', { errors: [{ path: 'to', message: 'invalid' }] });
  }
  const { config, secrets: typed } = probeConfigOf(request);
  const { result, seal } = await guardedProbe(config, typed, {
    kind: options.kind,
    to: recipient,
    signal: options.signal,
    onStep: options.onStep,
    locale: options.locale,
    budget: { tam: user.id, tenant: request.tenantId },
  });

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
        await recordEvent(tx, actor, {
          action: 'request.status_changed',
          tenantId: request.tenantId,
          targetType: 'smtp-request',
          targetId: request.id,
          before: { status: request.status },
          after: { status: next, probeRunId: id },
        });
      }
    }
    return created;
  });
  return toProbeRunView(row, request.fingerprint);
}
