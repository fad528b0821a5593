// Provider presets: what the form fills in, and what the customer must know (messages/<locale>.json, providers).
// `steps` is how many setup steps providers.<id>.step1… the form lists when OAuth 2.0 is chosen.
import type { OAuthCloud } from '@/server/oauth/oauth-settings';

export type ProviderPreset = {
  id: string;
  host: string;
  port: number;
  encryption: 'none' | 'starttls' | 'tls';
  authMethod: 'auto' | 'login' | 'plain' | 'oauth2';
  oauthProvider?: 'microsoft' | 'google';
};

export const PROVIDER_PRESETS: ProviderPreset[] = [
  // Microsoft 365 recommends OAuth: Basic authentication for SMTP AUTH is off by default from the end of December 2026.
  { id: 'm365', host: 'smtp.office365.com', port: 587, encryption: 'starttls', authMethod: 'oauth2', oauthProvider: 'microsoft' },
  { id: 'google', host: 'smtp.gmail.com', port: 587, encryption: 'starttls', authMethod: 'auto', oauthProvider: 'google' },
  { id: 'ses', host: 'email-smtp.us-east-1.amazonaws.com', port: 587, encryption: 'starttls', authMethod: 'auto' },
  { id: 'sendgrid', host: 'smtp.sendgrid.net', port: 587, encryption: 'starttls', authMethod: 'auto' },
  { id: 'mailgun', host: 'smtp.mailgun.org', port: 587, encryption: 'starttls', authMethod: 'auto' },
];

/** The SMTP submission server of each Microsoft cloud (the identity endpoints are the token code's). */
export const MICROSOFT_CLOUD_SERVERS: Record<OAuthCloud, { host: string; port: number }> = {
  global: { host: 'smtp.office365.com', port: 587 },
  usgov: { host: 'smtp.office365.us', port: 587 },
  china: { host: 'smtp.partner.outlook.cn', port: 587 },
};

/** How many setup steps each OAuth provider's instructions have (providers.<key>.step1…). */
export const OAUTH_SETUP_STEPS = { microsoft: { key: 'm365', count: 5 }, google: { key: 'google', count: 3 }, generic: { key: 'generic', count: 1 } } as const;

/** The Microsoft cloud whose SMTP server this is (global when the host is none of them). */
export function microsoftCloudOfHost(host: string): OAuthCloud {
  const name = host.trim().toLowerCase().replace(/\.$/, '');
  const found = (Object.keys(MICROSOFT_CLOUD_SERVERS) as OAuthCloud[]).find((cloud) => MICROSOFT_CLOUD_SERVERS[cloud].host === name);
  return found ?? 'global';
}

/**
 * The one-click switch of a password request to OAuth (Microsoft 365 answered 550 5.7.30): what the edit form
 * is pre-set to (the mailbox stays the username), and the fields the customer still has to fill in.
 */
export function oauthSwitchPreset(host: string) {
  return { authMethod: 'oauth2', oauthProvider: 'microsoft', oauthCloud: microsoftCloudOfHost(host) } as const;
}
export const OAUTH_SWITCH_FIELDS = ['oauthTenantId', 'oauthClientId', 'oauthCredential', 'oauthClientSecret', 'oauthCertificate', 'oauthPrivateKey'] as const;
