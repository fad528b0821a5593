import 'server-only';
// A signed-in user changes their own password. The current one must be typed (under the sign-in throttle, a
// wrong one audited as a failed sign-in). Browser sessions signed in before the change end (load-user.ts
// compares the session's sign-in time with passwordChangedAt), while personal access tokens keep working:
// they are revoked on the profile page, not by a password.
import { db } from '../db';
import { AppError } from '../app-error';
import { fieldErrors } from '@/lib/smtp-request-schema';
import { PasswordChangeSchema } from '@/lib/password-schema';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { hashPassword } from '../auth/passwords';
import { attemptPassword } from '../auth/sign-in';
import type { CurrentUser, RequestMeta } from '../auth/current-user';

export async function changeOwnPassword(user: CurrentUser, input: unknown, meta?: RequestMeta): Promise<void> {
  const parsed = PasswordChangeSchema.safeParse(input);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'Invalid input.', { errors: fieldErrors(parsed.error) });
  // Under the sign-in throttle: a stolen session cannot guess the password here any faster than at sign-in.
  const attempt = await attemptPassword(user.email, parsed.data.current, meta ?? { ip: null, userAgent: null, requestId: null });
  if (!attempt.ok && attempt.reason === 'throttled') throw new AppError('RATE_LIMITED', 'Too many wrong passwords.', { retryAfterSeconds: attempt.retryAfterSeconds });
  if (!attempt.ok) throw new AppError('VALIDATION_FAILED', 'The current password is not right.', { errors: [{ path: 'current', message: 'wrongPassword' }] });
  const passwordHash = await hashPassword(parsed.data.next);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, passwordChangedAt: new Date() } });
    await recordEvent(tx, actorOf(user, meta), { action: 'user.password_changed', tenantId: user.tenantId, targetType: 'user', targetId: user.id, after: { password: 'changed' } });
  });
}
