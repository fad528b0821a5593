// The page Content-Security-Policy, built per request around a fresh nonce (proxy.ts): Next.js reads the
// nonce from the request's CSP header and puts it on its own scripts, and 'strict-dynamic' lets those load
// the rest. Inline style attributes stay allowed (React's style={…}); nothing may frame a page.
// Headers that do not vary (nosniff, Referrer-Policy, HSTS, the API's CSP) are in next.config.js.
// Plain module (no server-only): proxy.ts imports it.
export function pageContentSecurityPolicy(nonce: string, dev = process.env.NODE_ENV === 'development'): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export const API_CONTENT_SECURITY_POLICY = "default-src 'none'; frame-ancestors 'none'";
