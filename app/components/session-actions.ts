'use server';
import { cookies } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { signOut, currentUser } from '@/server/auth/auth';
import { asLocale, LOCALE_COOKIE, LOCALE_COOKIE_OPTIONS } from '@/server/i18n/locales';
import { saveUserLocale } from '@/server/users/save-user-locale';
import { isTimeZone, TIME_ZONE_COOKIE } from '@/server/users/user-time-zone';

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: '/sign-in?signedOut=1' });
}

export async function setLocaleAction(value: string): Promise<void> {
  const locale = asLocale(value);
  if (!locale) return;
  (await cookies()).set(LOCALE_COOKIE, locale, LOCALE_COOKIE_OPTIONS);
  const user = await currentUser();
  if (user) await saveUserLocale(user.id, locale);
  revalidatePath('/', 'layout');
}

/** The browser's zone, kept in a cookie: times are shown in it unless the user chose a zone on the profile. */
export async function reportBrowserTimeZoneAction(value: string): Promise<void> {
  if (!isTimeZone(value)) return;
  (await cookies()).set(TIME_ZONE_COOKIE, value, { path: '/', maxAge: 365 * 24 * 3600, sameSite: 'lax' });
}
