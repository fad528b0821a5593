import { apiRoute, json } from '@/server/http/handle';
import { asLocale, localeFromAcceptLanguage } from '@/server/i18n/locales';
import { noticesPage } from '@/server/notifications/in-app-notices';

/** The caller's own in-app notices, newest first, in their saved language (else the Accept-Language one). */
export const GET = apiRoute(async ({ request, user }) => {
  const locale = asLocale(user.locale) ?? localeFromAcceptLanguage(request.headers.get('accept-language'));
  return json(await noticesPage(user, locale, Object.fromEntries(new URL(request.url).searchParams)));
});
