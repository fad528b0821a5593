import 'server-only';
import type { OAuthSettings } from './oauth-settings';
import { TokenFailure } from './token-failure';

// What an identity provider's error answer means for the customer, naming the field to change. The
// AADSTS codes are Microsoft Entra's (learn.microsoft.com/entra/identity-platform/reference-error-codes);
// Google answers with the RFC 6749 error names and a description. The provider's code stays visible.

export type ProviderError = { error: string; description: string; codes: number[] };

export function readProviderError(body: string): ProviderError | null {
  try {
    const json = JSON.parse(body) as { error?: unknown; error_description?: unknown; error_codes?: unknown };
    if (typeof json.error !== 'string') return null;
    const description = typeof json.error_description === 'string' ? json.error_description : '';
    const codes = Array.isArray(json.error_codes) ? json.error_codes.filter((c): c is number => typeof c === 'number') : [];
    return { error: json.error, description, codes };
  } catch {
    return null;
  }
}

/** The first line of the description (Entra appends trace and correlation ids), bounded. */
function firstLine(text: string): string {
  return (text.split(/\r?\n/)[0] ?? '').slice(0, 300);
}

function aadsts(e: ProviderError): number | null {
  const inText = /AADSTS(\d+)/.exec(e.description)?.[1];
  if (inText) return Number(inText);
  return e.codes[0] ?? null;
}

/** What the request knew that the texts quote: the service account's client id, the certificate's thumbprint, the scope asked for. */
export type RequestContext = { serviceAccountClientId: string; thumbprint: string; scope: string };

export function translateProviderError(e: ProviderError, settings: OAuthSettings, status: number, context: RequestContext): TokenFailure {
  const aad = aadsts(e);
  const providerCode = aad !== null ? `AADSTS${aad}` : e.error;
  const message = `The identity provider refused the token request (HTTP ${status}): ${providerCode} ${firstLine(e.description)}`.trim();
  const fail = (
    code: ConstructorParameters<typeof TokenFailure>[0],
    field: ConstructorParameters<typeof TokenFailure>[1],
    params: Record<string, string> = {},
    temporary = false,
  ) => new TokenFailure(code, field, { providerCode, ...params }, message, temporary, providerCode);

  if (e.error === 'temporarily_unavailable' || e.error === 'server_error') {
    return fail('OAUTH_ENDPOINT_UNREACHABLE', null, { url: '', reason: providerCode }, true);
  }
  if (settings.provider === 'microsoft' && aad !== null) {
    if (aad === 90002 || aad === 900023) return fail('OAUTH_TENANT_UNKNOWN', 'oauthTenantId', { tenant: settings.tenantId ?? '' });
    if (aad === 700016) return fail('OAUTH_CLIENT_UNKNOWN', 'oauthClientId', { clientId: settings.clientId ?? '' });
    if (aad === 7000222) return fail('OAUTH_SECRET_EXPIRED', 'oauthClientSecret');
    if (aad === 7000215) return fail('OAUTH_SECRET_INVALID', 'oauthClientSecret');
    if (aad === 700027 || aad === 700023) return fail('OAUTH_CERTIFICATE_UNKNOWN', 'oauthCertificate', { thumbprint: context.thumbprint });
    if (aad === 65001 || aad === 7000112 || aad === 500011) return fail('OAUTH_CONSENT_MISSING', null);
    if (aad === 700024) return fail('OAUTH_CLOCK_SKEW', null);
    if (aad === 70011) return fail('OAUTH_SCOPE_INVALID', null, { scope: context.scope });
  }
  if (settings.provider === 'google') {
    if (e.error === 'unauthorized_client') return fail('OAUTH_DELEGATION_MISSING', null, { clientId: context.serviceAccountClientId });
    if (e.error === 'invalid_grant' && /iat|exp|timeframe|clock|time/i.test(e.description)) return fail('OAUTH_CLOCK_SKEW', null);
    if (e.error === 'invalid_grant' && /email|user id|subject|sub\b/i.test(e.description)) return fail('OAUTH_MAILBOX_UNKNOWN', 'username');
    if (e.error === 'invalid_client' || e.error === 'invalid_grant') return fail('OAUTH_CLIENT_REJECTED', 'oauthServiceAccountKey');
  }
  if (e.error === 'invalid_scope') return fail('OAUTH_SCOPE_INVALID', settings.provider === 'generic' ? 'oauthScope' : null, { scope: context.scope });
  if (e.error === 'invalid_client') {
    const field = settings.provider === 'microsoft' && settings.privateKey ? 'oauthCertificate' : 'oauthClientSecret';
    return fail('OAUTH_CLIENT_REJECTED', field);
  }
  return fail('OAUTH_TOKEN_REFUSED', null, { description: firstLine(e.description) });
}
