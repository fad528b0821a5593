// OAuthSettings for the test identity provider, one builder per provider path (until the request
// model fills them from a stored row, tests build them directly).
import type { OAuthSettings } from '../../server/oauth/oauth-settings';
import { GENERIC_CLIENT, GENERIC_SCOPE, GENERIC_SECRET, MS_CLIENT, MS_SECRET, MS_TENANT, type TestIdp } from './oauth-idp';

const EMPTY: Omit<OAuthSettings, 'provider' | 'mailbox'> = {
  cloud: null,
  tenantId: null,
  clientId: null,
  clientSecret: null,
  certificate: null,
  privateKey: null,
  serviceAccountKey: null,
  tokenUrl: null,
  scope: null,
};

export function microsoftSettings(_idp: TestIdp, mailbox: string, overrides: Partial<OAuthSettings> = {}): OAuthSettings {
  return { ...EMPTY, provider: 'microsoft', cloud: 'global', tenantId: MS_TENANT, clientId: MS_CLIENT, clientSecret: MS_SECRET, mailbox, ...overrides };
}

export function googleSettings(idp: TestIdp, mailbox: string, overrides: Partial<OAuthSettings> = {}): OAuthSettings {
  return { ...EMPTY, provider: 'google', serviceAccountKey: idp.serviceAccountKey, mailbox, ...overrides };
}

export function genericSettings(idp: TestIdp, mailbox: string, overrides: Partial<OAuthSettings> = {}): OAuthSettings {
  return { ...EMPTY, provider: 'generic', tokenUrl: idp.genericTokenUrl, clientId: GENERIC_CLIENT, clientSecret: GENERIC_SECRET, scope: GENERIC_SCOPE, mailbox, ...overrides };
}
