// Environment, validated once at start (PRODUCT.md "Environment contract").
import { z } from 'zod';
import { defaultDatabaseUrl } from './db-url';
import { parseTrustedProxies } from './http/client-address';

const EnvSchema = z.object({
  DATABASE_URL: z.string().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  RELAYDESK_DEMO: z.enum(['0', '1']).optional(),
  SMTP_ALLOWED_HOSTS: z.string().default(''),
  SMTP_ALLOWED_PORTS: z.string().regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'a comma list of port numbers').default('25,465,587,2525'),
  RELAYDESK_SECRET_KEYS: z.string().optional(),
  AUTH_SECRET: z.string().optional(),
  RELAYDESK_DATA_DIR: z.string().default('./data'),
  RELAYDESK_TRUSTED_PROXIES: z
    .string()
    .default('')
    .superRefine((value, ctx) => {
      try {
        parseTrustedProxies(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: `a comma list of IP addresses or CIDR ranges: ${(error as Error).message}` });
      }
    }),
});
export type Env = z.infer<typeof EnvSchema> & { DATABASE_URL: string; demo: boolean };

/** Demo mode is on when asked for, or when nothing else is configured (no database, no keys). */
export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const env = { ...parsed.data, DATABASE_URL: parsed.data.DATABASE_URL || defaultDatabaseUrl(parsed.data.RELAYDESK_DATA_DIR) };
  const demo = env.RELAYDESK_DEMO ? env.RELAYDESK_DEMO === '1' : !source.DATABASE_URL && !env.RELAYDESK_SECRET_KEYS;
  return { ...env, demo };
}

/** Outside demo mode, secrets have no defaults: refuse to start with a message that says what to set. */
export function requireProductionSecrets(env: Env): void {
  const missing: string[] = [];
  if (!env.RELAYDESK_SECRET_KEYS) missing.push('RELAYDESK_SECRET_KEYS (comma list of keyId:base64-of-32-bytes)');
  if (!env.AUTH_SECRET) missing.push('AUTH_SECRET (a long random string)');
  if (missing.length > 0) {
    throw new Error(`Relaydesk is not in demo mode and these secrets are missing:\n  ${missing.join('\n  ')}\nSee README "Configuration".`);
  }
}
