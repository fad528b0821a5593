import 'server-only';
import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { recordEvent, SYSTEM_ACTOR } from '../audit/record-event';
import { configContentOf, oauthSettingsOf } from '@/lib/smtp-config-model';
import { versionSecretBinding } from '../config-versions/version-binding';
import { openSecrets, secretFragments } from '../requests/secret-columns';
import { oauthSecrets, withSecrets } from '../oauth/oauth-secrets';
import { certificateExpiry } from '../oauth/credential-expiry';
import { probeSettings } from '../probes/probe-settings';
import { destinationBudgetKey, takeProbeBudget } from '../probes/rate-limit';
import { runProbe } from '../smtp/probe';
import { checkSendingDomain } from '../smtp/domain-check';
import { redactSecrets, secretForms } from '../smtp/redact';
import type { SmtpConfig } from '../smtp/types';
import { changeBetween, problemsOf, type HealthProblem } from './health-problems';
import { checkRecentDeliveries } from './deliveries-failing';

// One tenant's health check: the active configuration validated without sending (token for OAuth,
// connect, TLS, AUTH or XOAUTH2, MAIL/RCPT, QUIT) plus the domain checks and the expiry of an OAuth
// certificate. The row and, when the problems changed since the previous
// check, one audit event (health.changed) are written in one transaction: said once, not every day.

export type HealthTransition = { tenantId: string; added: HealthProblem[]; resolved: HealthProblem[]; healthy: boolean };
export type HealthOutcome = { id: string; healthy: boolean; problems: HealthProblem[]; transition: HealthTransition | null };

export async function checkTenantHealth(tenantId: string, { now = new Date() }: { now?: Date } = {}): Promise<HealthOutcome | null> {
  const pipeline = await db.tenantPipeline.findUnique({ where: { tenantId }, select: { activeVersion: true } });
  if (pipeline?.activeVersion == null) return null;
  const version = pipeline.activeVersion;
  const row = await db.configVersion.findUniqueOrThrow({ where: { tenantId_version: { tenantId, version } } });
  const typed = openSecrets(row, (k) => versionSecretBinding(tenantId, version, k));
  const password = typed.password ?? '';
  // OAuth: the probe obtains a token (through the destination guard) and signs in with XOAUTH2, like a TAM's validation.
  const oauth = oauthSettingsOf(configContentOf(row), typed);
  const config: SmtpConfig = {
    host: row.host,
    port: row.port,
    encryption: row.encryption as SmtpConfig['encryption'],
    authMethod: row.authMethod as SmtpConfig['authMethod'],
    username: row.username,
    password,
    heloDomain: row.heloDomain,
    plaintextAuthAcknowledged: row.plaintextAuthAcknowledged,
    noReplyAddress: row.noReplyAddress,
    noReplyName: row.noReplyName,
    testRecipient: row.testRecipient,
    oauth,
  };
  const settings = probeSettings();
  // Within the destination budgets the TAMs' probes spend (throws RATE_LIMITED: the scheduler tries later).
  const { key, destination } = await destinationBudgetKey(config.host, config.port, { allowedHosts: settings.allowedHosts, allowedPorts: settings.allowedPorts });
  await takeProbeBudget({ tam: 'health-check', tenant: tenantId, destination: key });
  const result = await runProbe(config, {
    ...(destination ? { destination } : {}),
    kind: 'validate',
    allowedHosts: settings.allowedHosts,
    allowedPorts: settings.allowedPorts,
    trustedCa: settings.trustedCa,
    timeoutMs: settings.timeoutMs,
    domainCheck: {},
  });
  // A failed SMTP step ends the run before the domain step: the domain checks are still worth knowing.
  if (!result.steps.some((s) => s.step === 'domain')) {
    const findings = await checkSendingDomain({ noReplyAddress: config.noReplyAddress, host: config.host, serverAddresses: destination?.addresses ?? [] }).catch(() => []);
    result.steps.push({ step: 'domain', ok: !findings.some((f) => f.result === 'fail'), ms: 0, reply: '', detail: 'Sending domain', hint: null, field: null, findings });
  }
  const { problems: probeProblems, certExpiresAt } = problemsOf(result, now, { oauthCertificateExpiresAt: oauth?.certificate ? certificateExpiry(oauth.certificate) : null });
  const problems = [...probeProblems, ...(await checkRecentDeliveries(tenantId, now))];
  const healthy = !problems.some((p) => p.severity === 'fail');
  const id = randomUUID();
  const secrets = withSecrets(secretForms(config.username, password), [...oauthSecrets(oauth), ...secretFragments(typed)]);
  return db.$transaction(async (tx) => {
    const previous = await tx.healthCheck.findFirst({ where: { tenantId }, orderBy: { checkedAt: 'desc' }, select: { problems: true } });
    await tx.healthCheck.create({
      data: {
        id,
        tenantId,
        configVersion: version,
        checkedAt: now,
        healthy,
        problems: JSON.stringify(problems),
        steps: redactSecrets(JSON.stringify(result.steps), secrets),
        certExpiresAt,
        durationMs: result.durationMs,
      },
    });
    const { added, resolved } = changeBetween(previous ? (JSON.parse(previous.problems) as HealthProblem[]) : null, problems);
    if (added.length === 0 && resolved.length === 0) return { id, healthy, problems, transition: null };
    await recordEvent(
      tx,
      { ...SYSTEM_ACTOR, label: 'health check' },
      {
        action: 'health.changed',
        tenantId,
        targetType: 'tenant',
        targetId: tenantId,
        after: { healthCheckId: id, version, healthy, added: added.map((p) => p.key), resolved: resolved.map((p) => p.key) },
      },
    );
    return { id, healthy, problems, transition: { tenantId, added, resolved, healthy } };
  });
}
