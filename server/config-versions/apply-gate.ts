import 'server-only';
// Apply is allowed only when the latest successful test-send tested exactly the configuration being
// applied (same fingerprint). The reason is a code the Apply button translates.
import type { Tx } from '../db';
import { db } from '../db';
import type { CurrentUser } from '../auth/current-user';
import { can } from '../authz/permissions';
import { requestsVisibleTo } from '../authz/scopes';

export type ApplyBlock = 'ALREADY_APPLIED' | 'NOT_TESTED' | 'NO_TEST_SEND' | 'TEST_OUTDATED';
export type ApplyGate = { ok: true } | { ok: false; reason: ApplyBlock; message: string };

const MESSAGES: Record<ApplyBlock, string> = {
  ALREADY_APPLIED: 'This request is already applied.',
  NOT_TESTED: 'Only a tested request can be applied: send a test email with this configuration first.',
  NO_TEST_SEND: 'No test email was accepted for this request yet: send one first.',
  TEST_OUTDATED: 'The configuration changed after the last accepted test email: send a new test email first.',
};

export async function applyGate(request: { id: string; status: string; fingerprint: string }, tx: Tx = db): Promise<ApplyGate> {
  const block = (reason: ApplyBlock): ApplyGate => ({ ok: false, reason, message: MESSAGES[reason] });
  if (request.status === 'applied') return block('ALREADY_APPLIED');
  if (request.status !== 'tested') return block('NOT_TESTED');
  const latest = await tx.probeRun.findFirst({
    where: { requestId: request.id, kind: 'test-send', ok: true },
    orderBy: { startedAt: 'desc' },
    select: { fingerprint: true },
  });
  if (!latest) return block('NO_TEST_SEND');
  if (latest.fingerprint !== request.fingerprint) return block('TEST_OUTDATED');
  return { ok: true };
}

/** For the request page's Apply button: whether this user may apply this request now, and if not, why. */
export async function applyGateFor(user: CurrentUser, requestId: string): Promise<ApplyGate | null> {
  if (!can(user.role, 'config.apply')) return null;
  const request = await db.smtpRequest.findFirst({ where: { id: requestId, ...requestsVisibleTo(user) }, select: { id: true, status: true, fingerprint: true } });
  if (!request || ['submitted', 'needs_info', 'rejected', 'withdrawn'].includes(request.status)) return null;
  return applyGate(request);
}
