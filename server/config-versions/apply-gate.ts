import 'server-only';
// Apply is allowed only when the latest successful test-send tested exactly the configuration being
// applied (same fingerprint) and no check of that fingerprint failed after it. The reason is a code the
// Apply button translates. A later failed check and a failing sending domain may be forced with a reason.
import type { Tx } from '../db';
import { db } from '../db';
import type { CurrentUser } from '../auth/current-user';
import { can } from '../authz/permissions';
import { requestsVisibleTo } from '../authz/scopes';
import { canApplyStatus, showsApplyPanel } from '@/lib/request-status';

export type ApplyBlock = 'ALREADY_APPLIED' | 'NOT_TESTED' | 'NO_TEST_SEND' | 'TEST_OUTDATED' | 'LATER_CHECK_FAILED' | 'DOMAIN_FAILS';
/** What a forced apply went over: the later failed run, the failing domain findings (audited by the caller). */
export type Forced = { failedRunId?: string; domainFindings?: string[] };
export type ApplyGate = { ok: true; forced?: Forced } | { ok: false; reason: ApplyBlock; message: string; failedRunId?: string };
/** Blocks a TAM may apply over with force and a reason. */
export const FORCEABLE: ApplyBlock[] = ['LATER_CHECK_FAILED', 'DOMAIN_FAILS'];

const MESSAGES: Record<ApplyBlock, string> = {
  ALREADY_APPLIED: 'This request is already applied.',
  NOT_TESTED: 'Only a tested request can be applied: send a test email with this configuration first.',
  NO_TEST_SEND: 'No test email was accepted for this request yet: send one first.',
  TEST_OUTDATED: 'The configuration changed after the last accepted test email: send a new test email first.',
  LATER_CHECK_FAILED: 'A live check of exactly this configuration failed after the accepted test email: look at that run, test again, or apply with force and a reason.',
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

export async function applyGate(request: { id: string; status: string; fingerprint: string }, tx: Tx = db, { force = false } = {}): Promise<ApplyGate> {
  const block = (reason: ApplyBlock, failedRunId?: string): ApplyGate => ({ ok: false, reason, message: MESSAGES[reason], ...(failedRunId ? { failedRunId } : {}) });
  if (request.status === 'applied') return block('ALREADY_APPLIED');
  if (!canApplyStatus(request.status)) return block('NOT_TESTED');
  const latest = await tx.probeRun.findFirst({
    where: { requestId: request.id, kind: 'test-send', ok: true },
    orderBy: { startedAt: 'desc' },
    select: { fingerprint: true, steps: true, startedAt: true },
  });
  if (!latest) return block('NO_TEST_SEND');
  if (latest.fingerprint !== request.fingerprint) return block('TEST_OUTDATED');
  const forced: Forced = {};
  const failedLater = await tx.probeRun.findFirst({
    where: { requestId: request.id, fingerprint: request.fingerprint, ok: false, startedAt: { gt: latest.startedAt } },
    orderBy: { startedAt: 'desc' },
    select: { id: true },
  });
  if (failedLater) {
    if (!force) return block('LATER_CHECK_FAILED', failedLater.id);
    forced.failedRunId = failedLater.id;
  }
  const failing = failingDomainFindings(latest.steps);
  if (failing.length > 0) {
    if (!force) return block('DOMAIN_FAILS');
    forced.domainFindings = failing;
  }
  return Object.keys(forced).length > 0 ? { ok: true, forced } : { ok: true };
}

/** For the request page's Apply button: whether this user may apply this request now, and if not, why. */
export async function applyGateFor(user: CurrentUser, requestId: string): Promise<ApplyGate | null> {
  if (!can(user.role, 'config.apply')) return null;
  const request = await db.smtpRequest.findFirst({ where: { id: requestId, ...requestsVisibleTo(user) }, select: { id: true, status: true, fingerprint: true } });
  if (!request || !showsApplyPanel(request.status)) return null;
  return applyGate(request);
}
