import '../helpers/test-env';
// Issue 11, "Security headers on every page and API answer": the page proxy gives each page a
// Content-Security-Policy with a fresh nonce and frame-ancestors 'none'; next.config.js adds nosniff,
// Referrer-Policy and (over HTTPS) HSTS to every answer and a deny-all CSP to the API. The browser suite
// (tests/e2e/access.spec.ts) checks the same headers on the production server, where the pages hydrate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { NextRequest } from 'next/server';
import { proxy, config as proxyConfig } from '@/proxy';
import type { NextConfig } from 'next';
import { API_CONTENT_SECURITY_POLICY } from '@/server/http/security-headers';

test('a page answer carries a nonce-based CSP that forbids framing, and Next.js is handed the nonce', () => {
  const first = proxy(new NextRequest('http://relaydesk.test/portal'));
  const second = proxy(new NextRequest('http://relaydesk.test/portal'));
  const csp = first.headers.get('content-security-policy') ?? '';
  assert.match(csp, /frame-ancestors 'none'/);
  assert.match(csp, /object-src 'none'/);
  assert.match(csp, /base-uri 'self'/);
  const nonce = /script-src 'self' 'nonce-([A-Za-z0-9+/=]{20,})' 'strict-dynamic'/.exec(csp)?.[1];
  assert.ok(nonce, csp);
  assert.doesNotMatch(csp, /script-src[^;]*'unsafe-inline'/);
  assert.notEqual(second.headers.get('content-security-policy'), csp, 'a fresh nonce per request');
  // NextResponse.next({ request: { headers } }) forwards overridden request headers under x-middleware-request-*.
  assert.equal(first.headers.get('x-middleware-request-content-security-policy'), csp, 'the rendering sees the policy and takes its nonce');
  assert.equal(first.headers.get('x-middleware-request-x-nonce'), nonce);
});

test('the proxy runs on pages, not on API routes or static files', () => {
  const [matcher] = proxyConfig.matcher;
  const re = new RegExp(`^${matcher!}$`);
  for (const path of ['/', '/portal', '/requests/abc', '/sign-in', '/profile']) assert.ok(re.test(path), path);
  for (const path of ['/api/v1/smtp-requests', '/api/health', '/_next/static/chunks/x.js', '/favicon.ico']) assert.ok(!re.test(path), path);
});

test('next.config.js: nosniff and Referrer-Policy on every answer, a deny-all CSP on the API, HSTS over HTTPS, a server action body limit', async () => {
  const { default: exported } = (await import(new URL('../../next.config.js', import.meta.url).href)) as { default: NextConfig | (() => Promise<NextConfig>) };
  const config = typeof exported === 'function' ? await exported() : exported;
  const rules = await config.headers!();
  const all = rules.filter((r) => r.source === '/:path*' && !r.has);
  const header = (rs: typeof rules, key: string) => rs.flatMap((r) => r.headers).find((h) => h.key.toLowerCase() === key)?.value;
  assert.equal(header(all, 'x-content-type-options'), 'nosniff');
  assert.equal(header(all, 'referrer-policy'), 'same-origin');
  assert.equal(
    header(
      rules.filter((r) => r.source === '/api/:path*'),
      'content-security-policy',
    ),
    API_CONTENT_SECURITY_POLICY,
  );
  const hsts = rules.find((r) => r.has?.some((h) => h.type === 'header' && h.key === 'x-forwarded-proto' && h.value === 'https'));
  assert.match(header(hsts ? [hsts] : [], 'strict-transport-security') ?? '', /max-age=\d{7,}/);
  assert.equal(config.experimental?.serverActions?.bodySizeLimit, '128kb');
});
