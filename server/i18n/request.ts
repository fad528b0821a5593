import 'server-only';
// next-intl's request config: the user's saved language, else the cookie, else the browser's language.
import { getRequestConfig } from 'next-intl/server';
import { cookies, headers } from 'next/headers';
import { currentUser } from '../auth/auth';
import { CATALOGS } from './catalogs';
import { asLocale, localeFromAcceptLanguage, LOCALE_COOKIE } from './locales';

export default getRequestConfig(async () => {
  const user = await currentUser().catch(() => null);
  const cookieLocale = (await cookies()).get(LOCALE_COOKIE)?.value;
  const locale = asLocale(user?.locale) ?? asLocale(cookieLocale) ?? localeFromAcceptLanguage((await headers()).get('accept-language'));
  return { locale, messages: CATALOGS[locale], timeZone: 'UTC' };
});
