import 'server-only';
// A signed-in user changes their own password. The current one must be typed; browser sessions signed in
// before the change end (load-user.ts compares the session's sign-in time with passwordChangedAt), while
// personal access tokens keep working: they are revoked on the profile page, not by a password.
import { db } from '../db';
import { AppError } from '../app-error';
import { fieldErrors } from '@/lib/smtp-request-schema';
import { PasswordChangeSchema } from '@/lib/password-schema';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { hashPassword, verifyPassword } from '../auth/passwords';
import type { CurrentUser, RequestMeta } from '../auth/current-user';

export async function changeOwnPassword(user: CurrentUser, input: unknown, meta?: RequestMeta): Promise<void> {
  const parsed = PasswordChangeSchema.safeParse(input);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'Invalid input.', { errors: fieldErrors(parsed.error) });
  const stored = await db.user.findUniqueOrThrow({ where: { id: user.id }, select: { passwordHash: true } });
  if (!(await verifyPassword(stored.passwordHash, parsed.data.current))) {
    throw new AppError('VALIDATION_FAILED', 'The current password is not right.', { errors: [{ path: 'current', message: 'wrongPassword' }] });
  }
  const passwordHash = await hashPassword(parsed.data.next);
  await db.$transaction(async (tx) => {
    await tx.user.update({ where: { id: user.id }, data: { passwordHash, passwordChangedAt: new Date() } });
    await recordEvent(tx, actorOf(user, meta), { action: 'user.password_changed', tenantId: user.tenantId, targetType: 'user', targetId: user.id, after: { password: 'changed' } });
  });
}
