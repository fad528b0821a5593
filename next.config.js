import createNextIntlPlugin from 'next-intl/plugin';

const withNextIntl = createNextIntlPlugin('./server/i18n/request.ts');

/** @type {import('next').NextConfig} */
const nextConfig = {
  // Native and Node-only packages stay outside the bundle.
  serverExternalPackages: ['better-sqlite3', '@node-rs/argon2', 'pg', 'smtp-server', 'nodemailer'],
  poweredByHeader: false,
  typescript: { ignoreBuildErrors: false },
};

export default withNextIntl(nextConfig);
