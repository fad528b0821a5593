import 'server-only';
// next-intl's request config: the user's saved language, else the cookie, else the browser's language;
// the user's saved time zone, else the browser's (a cookie), else UTC.
import { getRequestConfig } from 'next-intl/server';
import { cookies, headers } from 'next/headers';
import { currentUser } from '../auth/auth';
import { DEFAULT_TIME_ZONE, findUserTimeZone, isTimeZone, TIME_ZONE_COOKIE } from '../users/user-time-zone';
import { CATALOGS } from './catalogs';
import { asLocale, localeFromAcceptLanguage, LOCALE_COOKIE } from './locales';

export default getRequestConfig(async () => {
  const user = await currentUser().catch(() => null);
  const jar = await cookies();
  const cookieLocale = jar.get(LOCALE_COOKIE)?.value;
  const locale = asLocale(user?.locale) ?? asLocale(cookieLocale) ?? localeFromAcceptLanguage((await headers()).get('accept-language'));
  const cookieZone = jar.get(TIME_ZONE_COOKIE)?.value;
  const timeZone = (user ? await findUserTimeZone(user.id).catch(() => null) : null) ?? (isTimeZone(cookieZone) ? cookieZone : DEFAULT_TIME_ZONE);
  return { locale, messages: CATALOGS[locale], timeZone };
});
