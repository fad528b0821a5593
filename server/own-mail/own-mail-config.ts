import 'server-only';
// Where Relaydesk's own mail goes: RELAYDESK_SMTP_URL and RELAYDESK_MAIL_FROM; in demo mode, unless set,
// the demo sandbox (scripts/start.ts runs it; its inbox shows the mail). Unset outside demo mode: no mail,
// in-app notices only. The password never leaves this module except into the transport.
import { SANDBOX_USERNAME } from '@/lib/sandbox-modes';
import { readEnv } from '../env';
import { parseOwnMailUrl, type OwnMailServer } from './own-mail-url';

export type OwnMailConfig = { server: OwnMailServer; from: string; source: 'environment' | 'demo-sandbox' };

export const DEMO_MAIL_FROM = 'Relaydesk <relaydesk@relaydesk.test>';

export function ownMailConfig(source: Record<string, string | undefined> = process.env): OwnMailConfig | null {
  const env = readEnv(source);
  if (env.RELAYDESK_SMTP_URL) {
    const server = parseOwnMailUrl(env.RELAYDESK_SMTP_URL);
    return { server, from: env.RELAYDESK_MAIL_FROM ?? defaultFrom(server.host), source: 'environment' };
  }
  const port = Number(source.SANDBOX_PORT);
  if (env.demo && port > 0 && source.SANDBOX_PASSWORD) {
    return {
      server: { host: 'localhost', port, tls: 'starttls', username: SANDBOX_USERNAME, password: source.SANDBOX_PASSWORD },
      from: env.RELAYDESK_MAIL_FROM ?? DEMO_MAIL_FROM,
      source: 'demo-sandbox',
    };
  }
  return null;
}

function defaultFrom(host: string): string {
  const domain = /^[\d.:]+$/.test(host) || host === 'localhost' ? 'relaydesk.invalid' : host.split('.').slice(-2).join('.');
  return `Relaydesk <no-reply@${domain}>`;
}

/** The bare address of a From header ("Name <a@b>" or "a@b"). */
export function addressOf(from: string): string {
  return /<([^>]+)>/.exec(from)?.[1]?.trim() ?? from.trim();
}

/** What the admin page may show: never the password (nor the user, which is often an address of the relay). */
export type OwnMailStatus =
  { configured: false } | { configured: true; source: OwnMailConfig['source']; host: string; port: number; tls: OwnMailServer['tls']; authenticated: boolean; from: string };

export function ownMailStatus(): OwnMailStatus {
  const config = ownMailConfig();
  if (!config) return { configured: false };
  const { server } = config;
  return { configured: true, source: config.source, host: server.host, port: server.port, tls: server.tls, authenticated: server.username !== null, from: config.from };
}
