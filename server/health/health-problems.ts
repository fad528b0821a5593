// What a health check found, as stable keys: a key that appears (or goes) between two checks is the
// change that is audited once. Types and pure functions only (the Health page sorts with riskOf).
import type { ProbeResult } from '../smtp/types';

export type HealthSeverity = 'warn' | 'fail';
export type HealthProblem = { key: string; severity: HealthSeverity; detail: string };

/** Certificate thresholds (issue 15): warn 21 days ahead, fail at 7. */
export const CERT_WARN_DAYS = 21;
export const CERT_FAIL_DAYS = 7;
const DAY_MS = 86_400_000;

/** Problem keys of OAuth credentials (issue 15: token credential expiring). */
export const OAUTH_CERT_WARN_KEY = 'oauth.certificate_expiring';
export const OAUTH_CERT_FAIL_KEY = 'oauth.certificate_expires_soon';
export const OAUTH_SECRET_EXPIRED_KEY = 'oauth.secret_expired';

export type CredentialDates = { oauthCertificateExpiresAt?: Date | null };

/** Problems of one validation-without-sending run (SMTP steps, certificate, domain findings, OAuth credential). */
export function problemsOf(result: ProbeResult, now: Date, credentials: CredentialDates = {}): { problems: HealthProblem[]; certExpiresAt: Date | null } {
  const problems: HealthProblem[] = [];
  const failed = result.steps.find((s) => !s.ok && s.step !== 'domain');
  const code = failed?.hint?.code;
  const what = failed ? `${failed.step} failed: ${failed.detail}${failed.hint ? ` (${failed.hint.code})` : ''}` : '';
  if (failed && code === 'OAUTH_SECRET_EXPIRED') {
    problems.push({ key: OAUTH_SECRET_EXPIRED_KEY, severity: 'fail', detail: what });
  } else if (failed && !(code === 'OAUTH_CERTIFICATE_EXPIRED' && credentials.oauthCertificateExpiresAt)) {
    // (An expired certificate is said once, by its expiry below.)
    const auth = failed.step === 'auth' || failed.step === 'token';
    problems.push({ key: auth ? 'smtp.auth' : `smtp.${failed.step}`, severity: 'fail', detail: what });
  }
  const credentialEnd = credentials.oauthCertificateExpiresAt;
  if (credentialEnd) {
    const days = (credentialEnd.getTime() - now.getTime()) / DAY_MS;
    const date = credentialEnd.toISOString().slice(0, 10);
    const detail = days <= 0 ? `The OAuth client certificate expired on ${date}` : `The OAuth client certificate expires in ${Math.floor(days)} days (${date})`;
    if (days <= CERT_FAIL_DAYS) problems.push({ key: OAUTH_CERT_FAIL_KEY, severity: 'fail', detail });
    else if (days <= CERT_WARN_DAYS) problems.push({ key: OAUTH_CERT_WARN_KEY, severity: 'warn', detail });
  }
  const validTo = result.tls?.certificates[0]?.validTo;
  const certExpiresAt = validTo ? new Date(validTo) : null;
  if (certExpiresAt && !Number.isNaN(certExpiresAt.getTime())) {
    const days = (certExpiresAt.getTime() - now.getTime()) / DAY_MS;
    const when = `${Math.max(0, Math.floor(days))} days (${certExpiresAt.toISOString().slice(0, 10)})`;
    if (days <= CERT_FAIL_DAYS) problems.push({ key: 'cert.expires_soon', severity: 'fail', detail: `The server's certificate expires in ${when}` });
    else if (days <= CERT_WARN_DAYS) problems.push({ key: 'cert.expiring', severity: 'warn', detail: `The server's certificate expires in ${when}` });
  }
  for (const finding of result.steps.find((s) => s.step === 'domain')?.findings ?? []) {
    if (finding.result === 'pass') continue;
    problems.push({ key: `domain.${finding.check}.${finding.code}`, severity: finding.result, detail: finding.detail });
  }
  return { problems, certExpiresAt: certExpiresAt && !Number.isNaN(certExpiresAt.getTime()) ? certExpiresAt : null };
}

/** Higher is riskier: failures first, then warnings, then the certificate's days left. */
export function riskOf(problems: HealthProblem[]): number {
  return problems.reduce((sum, p) => sum + (p.severity === 'fail' ? 100 : 10), 0);
}

export function changeBetween(before: HealthProblem[] | null, after: HealthProblem[]): { added: HealthProblem[]; resolved: HealthProblem[] } {
  const had = new Set((before ?? []).map((p) => p.key));
  const has = new Set(after.map((p) => p.key));
  return { added: after.filter((p) => !had.has(p.key)), resolved: (before ?? []).filter((p) => !has.has(p.key)) };
}
