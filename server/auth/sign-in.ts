import 'server-only';
// Credential check with throttling that slows guessing without locking anyone out. Failures are counted
// per account-and-address (a few free, then a delay that doubles, capped) and per address across all
// accounts (a larger allowance, for sprays of one password over many accounts). The owner signing in from
// an address with no failures of its own is never refused, whatever others do to their account; many
// failures for one account from many addresses raise an audit event instead (auth.sign_in_failures_distributed).
// The state is rows of SignInThrottle, so it holds across processes.
import { db, type Tx } from '../db';
import { recordEvent, type Actor } from '../audit/record-event';
import { hashPassword, verifyPassword } from './passwords';
import type { RequestMeta } from './current-user';

const ACCOUNT_FREE_FAILURES = 5;
const ADDRESS_FREE_FAILURES = 30;
const MAX_DELAY_MS = 15 * 60 * 1000;
/** Failures older than this are forgotten when the next one is counted. */
const ADDRESS_WINDOW_MS = 60 * 60 * 1000;
const ALERT_WINDOW_MS = 24 * 60 * 60 * 1000;
/** An alert when one account's failures reach this, and again at each doubling. */
export const DISTRIBUTED_ALERT_FAILURES = 20;
// Verifying against a fixed hash when the email is unknown keeps response times alike.
const decoyHash = hashPassword('relaydesk-decoy-password');

export type SignInResult = { ok: true; userId: string } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

function delayAfter(failures: number, free: number): number {
  return failures < free ? 0 : Math.min(MAX_DELAY_MS, 1000 * 2 ** (failures - free));
}
/** The wait after `failures` failures of one account from one address. */
export const throttleDelayMs = (failures: number) => delayAfter(failures, ACCOUNT_FREE_FAILURES);
export const addressThrottleDelayMs = (failures: number) => delayAfter(failures, ADDRESS_FREE_FAILURES);

/** The throttle rows' keys: one account from one address, one address, one account from anywhere (alerts only). */
export const throttleKeys = (email: string, ip: string | null) => ({
  account: `acct:${email}|${ip ?? 'unknown'}`,
  // Without a known address (no peer header: not behind scripts/peer-address.mjs) there is no address limit,
  // which would otherwise put every client in one bucket that anyone could fill.
  address: ip ? `addr:${ip}` : null,
  alert: `email:${email}`,
});

/** After an admin's reset: every throttle on the account is lifted. */
export async function clearAccountThrottles(tx: Tx, emailInput: string): Promise<void> {
  const email = emailInput.trim().toLowerCase();
  await tx.signInThrottle.deleteMany({ where: { OR: [{ key: { startsWith: `acct:${email}|` } }, { key: `email:${email}` }] } });
}

type Attempt = { ok: true; user: { id: string; email: string; tenantId: string | null } } | Exclude<SignInResult, { ok: true }>;

async function waitMs(key: string | null, delay: (failures: number) => number): Promise<number> {
  if (!key) return 0;
  const row = await db.signInThrottle.findUnique({ where: { key } });
  return row ? row.lastFailureAt.getTime() + delay(row.failures) - Date.now() : 0;
}

/** Counts one failure under `key`, starting over when the last one is older than windowMs; returns the count. */
async function countFailure(tx: Tx, key: string, windowMs: number | null): Promise<number> {
  const now = new Date();
  const row = await tx.signInThrottle.findUnique({ where: { key } });
  const failures = row && (windowMs === null || now.getTime() - row.lastFailureAt.getTime() < windowMs) ? row.failures + 1 : 1;
  await tx.signInThrottle.upsert({ where: { key }, create: { key, failures, lastFailureAt: now }, update: { failures, lastFailureAt: now } });
  return failures;
}

/**
 * Checks a password for an email under the throttles: refused while either holds; a wrong password is
 * counted and audited as a failed sign-in; a right one clears the account-and-address count. Signing in,
 * and confirming the current password before changing it, both go through here.
 */
export async function attemptPassword(emailInput: string, password: string, meta: RequestMeta): Promise<Attempt> {
  const email = emailInput.trim().toLowerCase();
  const keys = throttleKeys(email, meta.ip);
  const wait = Math.max(await waitMs(keys.account, throttleDelayMs), await waitMs(keys.address, addressThrottleDelayMs));
  if (wait > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: Math.ceil(wait / 1000) };

  const user = await db.user.findUnique({ where: { email } });
  const valid = user && !user.disabledAt ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await decoyHash, password), false);

  if (!valid || !user) {
    await db.$transaction(async (tx) => {
      await countFailure(tx, keys.account, null);
      if (keys.address) await countFailure(tx, keys.address, ADDRESS_WINDOW_MS);
      const total = await countFailure(tx, keys.alert, ALERT_WINDOW_MS);
      await recordEvent(tx, actorFor(email, user?.id ?? null, meta), {
        action: 'auth.sign_in_failed',
        tenantId: user?.tenantId ?? null,
        targetType: 'user',
        targetId: user?.id ?? null,
      });
      if (isAlertCount(total)) await raiseDistributedAlert(tx, email, user, total);
    });
    return { ok: false, reason: 'invalid' };
  }
  await db.signInThrottle.deleteMany({ where: { key: keys.account } });
  return { ok: true, user };
}

/** 20, 40, 80, …: an alert when the count first reaches the threshold and at each doubling after it. */
function isAlertCount(total: number): boolean {
  if (total < DISTRIBUTED_ALERT_FAILURES || total % DISTRIBUTED_ALERT_FAILURES !== 0) return false;
  const ratio = total / DISTRIBUTED_ALERT_FAILURES;
  return (ratio & (ratio - 1)) === 0;
}

async function raiseDistributedAlert(tx: Tx, email: string, user: { id: string; tenantId: string | null } | null, failures: number) {
  const addresses = await tx.signInThrottle.count({ where: { key: { startsWith: `acct:${email}|` } } });
  // Failures from one or two addresses are that address's throttle's business; this is about many.
  if (addresses < 3) return;
  const actor: Actor = { type: 'system', id: null, label: 'sign-in throttle' };
  await recordEvent(tx, actor, {
    action: 'auth.sign_in_failures_distributed',
    tenantId: user?.tenantId ?? null,
    targetType: 'user',
    targetId: user?.id ?? null,
    after: { email: email.slice(0, 254), failures, addresses, windowHours: ALERT_WINDOW_MS / 3_600_000 },
  });
}

export async function checkCredentials(emailInput: string, password: string, meta: RequestMeta): Promise<SignInResult> {
  const attempt = await attemptPassword(emailInput, password, meta);
  if (!attempt.ok) return attempt;
  const { user } = attempt;
  await db.$transaction((tx) => recordEvent(tx, actorFor(user.email, user.id, meta), { action: 'auth.signed_in', tenantId: user.tenantId, targetType: 'user', targetId: user.id }));
  return { ok: true, userId: user.id };
}

function actorFor(email: string, userId: string | null, meta: RequestMeta) {
  return { type: 'user' as const, id: userId, label: email.slice(0, 254), ...meta };
}
