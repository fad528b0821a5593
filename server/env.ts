// Environment, validated once at start (PRODUCT.md "Environment contract").
import { createPrivateKey } from 'node:crypto';
import { existsSync, readFileSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { defaultDatabaseUrl } from './db-url';
import { parseTrustedProxies } from './core/client-address';
import { parseDnsServers } from './dns/dns-servers';
import { ownMailUrlProblem } from './own-mail/own-mail-url';

export const PROCESS_NAMES = ['web', 'worker', 'sandbox'] as const;
export type ProcessName = (typeof PROCESS_NAMES)[number];
/** An identity endpoint override: https, no credentials, query or fragment (server/oauth/token-endpoints.ts). */
const httpsEndpoint = z
  .string()
  .refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' && !url.username && !url.password && !url.search && !url.hash;
    } catch {
      return false;
    }
  }, 'an https URL without credentials, query or fragment')
  .optional();

const EnvSchema = z.object({
  DATABASE_URL: z.string().optional(),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** The address the web app listens on; unset: every interface, or loopback only in demo mode. */
  HOST: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().optional()),
  RELAYDESK_DEMO: z.enum(['0', '1']).optional(),
  RELAYDESK_RUN: z
    .string()
    .regex(new RegExp(`^\\s*(${PROCESS_NAMES.join('|')})(\\s*,\\s*(${PROCESS_NAMES.join('|')}))*\\s*$`), `a comma list of ${PROCESS_NAMES.join(', ')}`)
    .optional(),
  SMTP_ALLOWED_HOSTS: z.string().default(''),
  SMTP_ALLOWED_PORTS: z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'a comma list of port numbers')
    .default('25,465,587,2525'),
  RELAYDESK_SECRET_KEYS: z.string().optional(),
  AUTH_SECRET: z.string().optional(),
  RELAYDESK_DATA_DIR: z.string().default('./data'),
  RELAYDESK_METRICS_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  RELAYDESK_AUDIT_SIGNING_KEY: z.string().optional(),
  RELAYDESK_AUDIT_SIGNING_KEY_FILE: z.string().optional(),
  RELAYDESK_OAUTH_AUTHORITY_MICROSOFT: httpsEndpoint,
  RELAYDESK_OAUTH_TOKEN_URL_GOOGLE: httpsEndpoint,
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
  /** How often each tenant's active configuration is health-checked (server/health/run-health-checks.ts). */
  RELAYDESK_HEALTH_INTERVAL: z
    .string()
    .regex(/^\s*\d+\s*(ms|s|m|h|d)?\s*$/, 'a number with ms, s, m, h or d (e.g. 24h)')
    .optional(),
  /** Relaydesk's own mail (server/own-mail/own-mail-config.ts): smtp://user:pass@host:587 or smtps://…; the password is a secret. */
  RELAYDESK_SMTP_URL: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z
      .string()
      .refine((value) => ownMailUrlProblem(value) === null, 'smtp://user:password@host:port or smtps://…, optional ?tls=none (the value is not repeated here: it holds a password)')
      .optional(),
  ),
  /** The From of Relaydesk's own mail, e.g. "Relaydesk <relaydesk@example.com>". */
  RELAYDESK_MAIL_FROM: z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), z.string().trim().optional()),
  /** The address people reach the app at, for links in mail (default http://localhost:PORT). */
  RELAYDESK_PUBLIC_URL: z.preprocess(
    (v) => (typeof v === 'string' && v.trim() === '' ? undefined : v),
    z.url({ protocol: /^https?$/, error: 'an http(s) URL, e.g. https://relaydesk.example.com' }).optional(),
  ),
  /** The DNS servers every lookup asks (server/dns/resolver.ts); unset: the system's. */
  RELAYDESK_DNS_SERVERS: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        parseDnsServers(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
      }
    }),
});
export type Env = z.infer<typeof EnvSchema> & { DATABASE_URL: string; demo: boolean; run: ProcessName[] };

/** Demo mode is on when asked for, or when nothing else is configured (no database, no keys). */
export function readEnv(source: Record<string, string | undefined> = process.env): Env {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  const env = { ...parsed.data, DATABASE_URL: parsed.data.DATABASE_URL || defaultDatabaseUrl(parsed.data.RELAYDESK_DATA_DIR) };
  const demo = env.RELAYDESK_DEMO ? env.RELAYDESK_DEMO === '1' : !source.DATABASE_URL && !env.RELAYDESK_SECRET_KEYS;
  const run = env.RELAYDESK_RUN
    ? [...new Set(env.RELAYDESK_RUN.split(',').map((s) => s.trim() as ProcessName))]
    : (['web', 'worker', ...(demo ? (['sandbox'] as const) : [])] satisfies ProcessName[]);
  return { ...env, demo, run };
}

/** Where the web app listens: HOST, else loopback in demo mode (its accounts share a published password), else every interface. */
export function webHost(env: Pick<Env, 'HOST' | 'demo'>): string | undefined {
  return env.HOST ?? (env.demo ? '127.0.0.1' : undefined);
}

/** The arguments of `next start` for the web app: its port, and the address when it is not every interface. */
export function nextStartArgs(env: Pick<Env, 'HOST' | 'demo' | 'PORT'>): string[] {
  const host = webHost(env);
  return ['start', '-p', String(env.PORT), ...(host ? ['-H', host] : [])];
}

/** Outside demo mode, secrets have no defaults: refuse to start with a message that says what to set. */
export function requireProductionSecrets(env: Env): void {
  const missing: string[] = [];
  if (!env.RELAYDESK_SECRET_KEYS) missing.push('RELAYDESK_SECRET_KEYS (comma list of keyId:base64-of-32-bytes)');
  if (!env.AUTH_SECRET) missing.push('AUTH_SECRET (a long random string)');
  const signingKeyProblem = auditSigningKeyProblem(env);
  if (signingKeyProblem) missing.push(signingKeyProblem);
  if (missing.length > 0) {
    throw new Error(`Relaydesk is not in demo mode and these secrets are missing:\n  ${missing.join('\n  ')}\nSee README "Configuration".`);
  }
}

function isInside(dir: string, file: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : path.resolve(p));
  const relative = path.relative(real(dir), real(file));
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * The audit signing key must come from outside the data folder: whoever can rewrite the database and that
 * folder must not also hold the key that signs the checkpoints (docs/decisions/014). Null when it does.
 */
function auditSigningKeyProblem(env: Env): string | null {
  const usage = 'RELAYDESK_AUDIT_SIGNING_KEY (an Ed25519 private key, PEM) or RELAYDESK_AUDIT_SIGNING_KEY_FILE (its path, outside the data folder)';
  let pem = env.RELAYDESK_AUDIT_SIGNING_KEY;
  const file = env.RELAYDESK_AUDIT_SIGNING_KEY_FILE;
  if (!pem && file) {
    if (isInside(env.RELAYDESK_DATA_DIR, file)) return `${usage}: RELAYDESK_AUDIT_SIGNING_KEY_FILE is inside the data folder ${env.RELAYDESK_DATA_DIR}; keep the key elsewhere`;
    if (!existsSync(file)) return `${usage}: RELAYDESK_AUDIT_SIGNING_KEY_FILE names ${file}, which does not exist`;
    pem = readFileSync(file, 'utf8');
  }
  if (!pem) return usage;
  try {
    const key = createPrivateKey(pem.replace(/\\n/g, '\n'));
    if (key.asymmetricKeyType !== 'ed25519') return `${usage}: the key is not an Ed25519 private key`;
  } catch {
    return `${usage}: the key is not a readable private key`;
  }
  return null;
}

/** The app's public address, without a trailing slash: links in Relaydesk's own mail. */
export function publicUrl(env: Pick<Env, 'RELAYDESK_PUBLIC_URL' | 'PORT'> = readEnv()): string {
  return (env.RELAYDESK_PUBLIC_URL ?? `http://localhost:${env.PORT}`).replace(/\/+$/, '');
}
