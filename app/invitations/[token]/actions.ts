'use server';
// Accepting an invitation (no session: the token is the credential), then signing the new user in with
// the password they just set. If signing in fails anyway, the sign-in page says the password is set.
import { redirect } from 'next/navigation';
import { signIn } from '@/server/auth/auth';
import { HOME_BY_ROLE } from '@/server/auth/roles';
import { currentRequestMeta } from '@/server/core/request-meta';
import { AppError } from '@/server/app-error';
import { logError } from '@/server/log';
import { acceptInvitation } from '@/server/invitations/accept-invitation';

export type AcceptState = { code: string | null; errors: Record<string, string>; reason?: string };

export async function acceptInvitationAction(token: string, input: { password: string; confirm: string }): Promise<AcceptState> {
  let accepted: Awaited<ReturnType<typeof acceptInvitation>>;
  try {
    accepted = await acceptInvitation(token, input, await currentRequestMeta());
  } catch (error) {
    if (error instanceof AppError) {
      const reason = typeof error.details.reason === 'string' ? error.details.reason : undefined;
      return { code: error.code, errors: Object.fromEntries((error.details.errors ?? []).map((e) => [e.path, e.message])), reason };
    }
    logError('unhandled error accepting an invitation', error);
    return { code: 'INTERNAL', errors: {} };
  }
  try {
    await signIn('credentials', { email: accepted.email, password: input.password, redirect: false });
  } catch {
    redirect('/sign-in?invited=1');
  }
  redirect(HOME_BY_ROLE[accepted.role]);
}
