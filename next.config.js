import createNextIntlPlugin from 'next-intl/plugin';

const withNextIntl = createNextIntlPlugin('./server/i18n/request.ts');

// Headers that never vary; the page Content-Security-Policy carries a per-request nonce (proxy.ts).
// HSTS only when a proxy says the request came over HTTPS: browsers ignore it on plain HTTP anyway (RFC 6797 §8.1).
const STATIC_HEADERS = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  { key: 'Referrer-Policy', value: 'same-origin' },
];
const API_CSP = "default-src 'none'; frame-ancestors 'none'"; // server/http/security-headers.ts API_CONTENT_SECURITY_POLICY

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Node-only packages stay outside the bundle.
  serverExternalPackages: ['better-sqlite3', '@node-rs/argon2', 'pg', 'smtp-server', 'nodemailer'],
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: false },
  experimental: {
    // Server actions take small forms; the proxy buffers a page request's body, so its cap is above this
    // one (a body it cut short is still over the action limit, and refused).
    serverActions: { bodySizeLimit: '128kb' },
    proxyClientMaxBodySize: '256kb',
  },
  async headers() {
    return [
      { source: '/:path*', headers: STATIC_HEADERS },
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: API_CSP }] },
      {
        source: '/:path*',
        has: [{ type: 'header', key: 'x-forwarded-proto', value: 'https' }],
        headers: [{ key: 'Strict-Transport-Security', value: 'max-age=31536000; includeSubDomains' }],
      },
    ];
  },
};

export default withNextIntl(nextConfig);
