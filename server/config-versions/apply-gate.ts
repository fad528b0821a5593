import 'server-only';
// Apply is allowed only when the latest successful test-send tested exactly the configuration being
// applied (same fingerprint). The reason is a code the Apply button translates.
import type { Tx } from '../db';
import { db } from '../db';
import type { CurrentUser } from '../auth/current-user';
import { can } from '../authz/permissions';
import { requestsVisibleTo } from '../authz/scopes';

export type ApplyBlock = 'ALREADY_APPLIED' | 'NOT_TESTED' | 'NO_TEST_SEND' | 'TEST_OUTDATED' | 'DOMAIN_FAILS';
/** overridden: the failing domain findings a TAM applied over, with a reason (audited by the caller). */
export type ApplyGate = { ok: true; overridden?: string[] } | { ok: false; reason: ApplyBlock; message: string };

const MESSAGES: Record<ApplyBlock, string> = {
  ALREADY_APPLIED: 'This request is already applied.',
  NOT_TESTED: 'Only a tested request can be applied: send a test email with this configuration first.',
  NO_TEST_SEND: 'No test email was accepted for this request yet: send one first.',
  TEST_OUTDATED: 'The configuration changed after the last accepted test email: send a new test email first.',
  DOMAIN_FAILS: 'The sending domain of the last test email fails (DMARC would make receivers refuse the mail): fix the DNS records and test again, or apply with a reason.',
};

/** The `fail` findings of a run's domain step (issue 15): they block apply unless a TAM overrides with a reason. */
function failingDomainFindings(steps: string): string[] {
  try {
    const parsed = JSON.parse(steps) as { step: string; findings?: { result: string; code: string }[] }[];
    return parsed.flatMap((s) => (s.step === 'domain' ? (s.findings ?? []).filter((f) => f.result === 'fail').map((f) => f.code) : []));
  } catch {
    return [];
  }
}

export async function applyGate(request: { id: string; status: string; fingerprint: string }, tx: Tx = db, { domainOverride = false } = {}): Promise<ApplyGate> {
  const block = (reason: ApplyBlock): ApplyGate => ({ ok: false, reason, message: MESSAGES[reason] });
  if (request.status === 'applied') return block('ALREADY_APPLIED');
  if (request.status !== 'tested') return block('NOT_TESTED');
  const latest = await tx.probeRun.findFirst({
    where: { requestId: request.id, kind: 'test-send', ok: true },
    orderBy: { startedAt: 'desc' },
    select: { fingerprint: true, steps: true },
  });
  if (!latest) return block('NO_TEST_SEND');
  if (latest.fingerprint !== request.fingerprint) return block('TEST_OUTDATED');
  const failing = failingDomainFindings(latest.steps);
  if (failing.length > 0) return domainOverride ? { ok: true, overridden: failing } : block('DOMAIN_FAILS');
  return { ok: true };
}

/** For the request page's Apply button: whether this user may apply this request now, and if not, why. */
export async function applyGateFor(user: CurrentUser, requestId: string): Promise<ApplyGate | null> {
  if (!can(user.role, 'config.apply')) return null;
  const request = await db.smtpRequest.findFirst({ where: { id: requestId, ...requestsVisibleTo(user) }, select: { id: true, status: true, fingerprint: true } });
  if (!request || ['submitted', 'needs_info', 'rejected', 'withdrawn'].includes(request.status)) return null;
  return applyGate(request);
}
