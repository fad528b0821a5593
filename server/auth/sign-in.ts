import 'server-only';
// Credential check with throttling: after a few failures for one email, further attempts are refused
// for a delay that doubles with each failure (capped), so guessing gets slow while a typo costs nothing.
import { db } from '../db';
import { recordEvent } from '../audit/record-event';
import { hashPassword, verifyPassword } from './passwords';
import type { RequestMeta } from './current-user';

const FREE_FAILURES = 5;
const MAX_DELAY_MS = 15 * 60 * 1000;
// Verifying against a fixed hash when the email is unknown keeps response times alike.
const decoyHash = hashPassword('relaydesk-decoy-password');

export type SignInResult = { ok: true; userId: string } | { ok: false; reason: 'invalid' } | { ok: false; reason: 'throttled'; retryAfterSeconds: number };

export function throttleDelayMs(failures: number): number {
  return failures < FREE_FAILURES ? 0 : Math.min(MAX_DELAY_MS, 1000 * 2 ** (failures - FREE_FAILURES));
}

type Attempt = { ok: true; user: { id: string; email: string; tenantId: string | null } } | Exclude<SignInResult, { ok: true }>;

/**
 * Checks a password for an email under the throttle: refused while the throttle holds; a wrong password
 * is counted and audited as a failed sign-in; a right one clears the count. Signing in, and confirming the
 * current password before changing it, both go through here.
 */
export async function attemptPassword(emailInput: string, password: string, meta: RequestMeta): Promise<Attempt> {
  const email = emailInput.trim().toLowerCase();
  const key = `email:${email}`;
  const throttle = await db.signInThrottle.findUnique({ where: { key } });
  if (throttle) {
    const waitMs = throttle.lastFailureAt.getTime() + throttleDelayMs(throttle.failures) - Date.now();
    if (waitMs > 0) return { ok: false, reason: 'throttled', retryAfterSeconds: Math.ceil(waitMs / 1000) };
  }
  const user = await db.user.findUnique({ where: { email } });
  const valid = user && !user.disabledAt ? await verifyPassword(user.passwordHash, password) : (await verifyPassword(await decoyHash, password), false);

  if (!valid || !user) {
    await db.$transaction(async (tx) => {
      await tx.signInThrottle.upsert({
        where: { key },
        create: { key, failures: 1, lastFailureAt: new Date() },
        update: { failures: { increment: 1 }, lastFailureAt: new Date() },
      });
      await recordEvent(tx, actorFor(email, user?.id ?? null, meta), { action: 'auth.sign_in_failed', tenantId: user?.tenantId ?? null, targetType: 'user', targetId: user?.id ?? null });
    });
    return { ok: false, reason: 'invalid' };
  }
  await db.signInThrottle.deleteMany({ where: { key } });
  return { ok: true, user };
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
