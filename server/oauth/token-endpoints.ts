import 'server-only';
import type { OAuthCloud, OAuthSettings } from './oauth-settings';

// Where each provider's token comes from, and for which scope. The identity hosts are fixed here
// (MSAL's cloud instances, Exchange Online's resource per cloud); RELAYDESK_OAUTH_AUTHORITY_MICROSOFT and
// RELAYDESK_OAUTH_TOKEN_URL_GOOGLE replace them for private clouds and tests, and still pass the guard.

export const MICROSOFT_CLOUDS: Record<OAuthCloud, { authority: string; scope: string; smtpHost: string }> = {
  global: { authority: 'https://login.microsoftonline.com', scope: 'https://outlook.office365.com/.default', smtpHost: 'smtp.office365.com' },
  usgov: { authority: 'https://login.microsoftonline.us', scope: 'https://outlook.office365.us/.default', smtpHost: 'smtp.office365.us' },
  china: { authority: 'https://login.chinacloudapi.cn', scope: 'https://partner.outlook.cn/.default', smtpHost: 'smtp.partner.outlook.cn' },
};

export const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
export const GOOGLE_SCOPE = 'https://mail.google.com/';

export type OAuthEnv = { microsoftAuthority: string | null; googleTokenUrl: string | null };

/** An https URL without credentials, query or fragment; throws naming the variable otherwise. */
export function checkEndpointUrl(value: string, name: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} is not a URL: "${value}"`);
  }
  if (url.protocol !== 'https:') throw new Error(`${name} must be an https URL`);
  if (url.username || url.password || url.search || url.hash) throw new Error(`${name} must not carry credentials, a query or a fragment`);
  return url;
}

let cached: OAuthEnv | null = null;

/** The overrides, validated once (a typo fails the first token request with the variable's name). */
export function oauthEnv(source: Record<string, string | undefined> = process.env): OAuthEnv {
  if (cached && source === process.env) return cached;
  const authority = source.RELAYDESK_OAUTH_AUTHORITY_MICROSOFT?.trim() || null;
  const google = source.RELAYDESK_OAUTH_TOKEN_URL_GOOGLE?.trim() || null;
  if (authority) checkEndpointUrl(authority, 'RELAYDESK_OAUTH_AUTHORITY_MICROSOFT');
  if (google) checkEndpointUrl(google, 'RELAYDESK_OAUTH_TOKEN_URL_GOOGLE');
  const env = { microsoftAuthority: authority?.replace(/\/+$/, '') ?? null, googleTokenUrl: google };
  if (source === process.env) cached = env;
  return env;
}

/** Tests change the environment between files. */
export function resetOAuthEnv(): void {
  cached = null;
}

export type TokenEndpoint = { url: URL; scope: string };

/** A tenant id is a GUID or a verified domain: nothing that could change the path of the URL. */
const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9.-]{0,253}$/;

export function tokenEndpoint(settings: OAuthSettings, env: OAuthEnv = oauthEnv()): TokenEndpoint {
  if (settings.provider === 'microsoft') {
    const cloud = MICROSOFT_CLOUDS[settings.cloud ?? 'global'];
    const tenant = settings.tenantId ?? '';
    if (!TENANT_ID.test(tenant)) throw new EndpointSettingError('oauthTenantId', 'The directory (tenant) id is not a GUID or domain');
    const authority = env.microsoftAuthority ?? cloud.authority;
    return { url: new URL(`${authority}/${encodeURIComponent(tenant)}/oauth2/v2.0/token`), scope: cloud.scope };
  }
  if (settings.provider === 'google') return { url: new URL(env.googleTokenUrl ?? GOOGLE_TOKEN_URL), scope: GOOGLE_SCOPE };
  let url: URL;
  try {
    url = checkEndpointUrl(settings.tokenUrl ?? '', 'oauthTokenUrl');
  } catch (error) {
    throw new EndpointSettingError('oauthTokenUrl', (error as Error).message);
  }
  return { url, scope: settings.scope?.trim() ?? '' };
}

/** A setting that makes the token URL impossible to build. */
export class EndpointSettingError extends Error {
  constructor(
    readonly field: 'oauthTenantId' | 'oauthTokenUrl',
    message: string,
  ) {
    super(message);
    this.name = 'EndpointSettingError';
  }
}
