// Every page gets a Content-Security-Policy with a fresh nonce (server/http/security-headers.ts). Not an
// access check: authorization lives in the domain layer. API routes are left out: their headers are static
// (next.config.js), and a proxy in front of them would buffer their request bodies.
// A link may also carry the language it was written in (`?lang=zh-CN`, e.g. an invitation's): a reader who
// never chose a language gets the page, and the pages after it, in that one (the language cookie is set).
import { NextResponse, type NextRequest } from 'next/server';
import { pageContentSecurityPolicy } from './server/http/security-headers';
import { asLocale, LOCALE_COOKIE, LOCALE_COOKIE_OPTIONS } from './server/i18n/locales';

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const csp = pageContentSecurityPolicy(nonce);
  const linkLocale = request.cookies.has(LOCALE_COOKIE) ? null : asLocale(request.nextUrl.searchParams.get('lang'));
  if (linkLocale) request.cookies.set(LOCALE_COOKIE, linkLocale);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', csp);
  requestHeaders.set('x-nonce', nonce);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  if (linkLocale) response.cookies.set(LOCALE_COOKIE, linkLocale, LOCALE_COOKIE_OPTIONS);
  return response;
}

export const config = {
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico).*)'],
};
