// Every page gets a Content-Security-Policy with a fresh nonce (server/http/security-headers.ts). Not an
// access check: authorization lives in the domain layer. API routes are left out: their headers are static
// (next.config.js), and a proxy in front of them would buffer their request bodies.
import { NextResponse, type NextRequest } from 'next/server';
import { pageContentSecurityPolicy } from './server/http/security-headers';

export function proxy(request: NextRequest) {
  const nonce = Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
  const csp = pageContentSecurityPolicy(nonce);
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', csp);
  requestHeaders.set('x-nonce', nonce);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', csp);
  return response;
}

export const config = {
  matcher: ['/((?!api/|_next/static|_next/image|favicon.ico).*)'],
};
