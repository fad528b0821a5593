'use server';
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { runAction } from '@/server/http/action';
import { requirePermission } from '@/server/authz/scopes';
import { actorOf } from '@/server/audit/actor';
import { createToken, revokeToken } from '@/server/auth/tokens';
import { signIn, signOut } from '@/server/auth/auth';
import { endAllBrowserSessions } from '@/server/auth/sessions';
import { changeOwnPassword } from '@/server/users/change-own-password';
import { saveUserTimeZone } from '@/server/users/user-time-zone';
import { savePreferences } from '@/server/notifications/in-app-notices';

export async function createTokenAction(name: string) {
  const result = await runAction(async (user, meta) => {
    requirePermission(user, 'token.own');
    return { token: (await createToken(user.id, name, actorOf(user, meta))).token };
  });
  revalidatePath('/profile');
  return result;
}

export async function revokeTokenAction(tokenId: string) {
  const result = await runAction(async (user, meta) => {
    requirePermission(user, 'token.own');
    await revokeToken(user.id, tokenId, actorOf(user, meta));
    return undefined;
  });
  revalidatePath('/profile');
  return result;
}

/**
 * Changes the signed-in user's password and signs this browser in again with it (the change ends every
 * session signed in before it, this one included), then reloads the profile with the new session: a
 * re-render inside this request would still see the old session cookie.
 */
export async function changePasswordAction(input: { current: string; next: string; confirm: string }) {
  const result = await runAction(async (user, meta) => {
    await changeOwnPassword(user, input, meta);
    await signIn('credentials', { email: user.email, password: input.next, redirect: false });
    return undefined;
  });
  if (result.ok) redirect('/profile?password=changed');
  return result;
}

/** Ends every browser session of the signed-in user (this one too), then signs this browser out. */
export async function signOutEverywhereAction(): Promise<void> {
  const result = await runAction(async (user, meta) => {
    await endAllBrowserSessions(user.id, actorOf(user, meta), user.tenantId);
    return undefined;
  });
  if (result.ok) await signOut({ redirectTo: '/sign-in' });
  redirect('/sign-in');
}

/** A zone, or '' for the browser's. */
export async function saveTimeZoneAction(timeZone: string) {
  const result = await runAction(async (user) => saveUserTimeZone(user.id, timeZone));
  revalidatePath('/', 'layout');
  return result;
}

/** The signed-in user's notification preferences: per kind, mail and in-app. */
export async function saveNotificationPreferencesAction(preferences: { kind: string; mail: boolean; inApp: boolean }[]) {
  const result = await runAction(async (user) => savePreferences(user, preferences));
  revalidatePath('/profile');
  return result;
}
