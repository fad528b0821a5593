import 'server-only';
import { createHash, createPrivateKey, randomUUID, X509Certificate, type KeyObject } from 'node:crypto';
import { SignJWT } from 'jose';
import { REDACTED } from '../smtp/redact';
import type { OAuthSettings } from './oauth-settings';
import type { TokenEndpoint } from './token-endpoints';
import { TokenFailure } from './token-failure';

// The body of each provider's token request. Secrets (client secret, the signed assertions) are form
// fields of their own, so the request can be shown with exactly those replaced.

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
/** Form fields and headers that carry a credential: shown as [redacted]. */
const SECRET_FIELDS = new Set(['client_secret', 'client_assertion', 'assertion']);
/** Microsoft accepts client assertions valid for at most 10 minutes; ours live 5. */
const ASSERTION_SECONDS = 300;

export type TokenRequest = {
  form: URLSearchParams;
  headers: Record<string, string>;
  /** The request as the transcript shows it. */
  shown: string;
  /** Every string that must never appear (the credential and what was derived from it). */
  secrets: string[];
  context: { serviceAccountClientId: string; thumbprint: string; scope: string };
};

function base64url(buffer: Buffer): string {
  return buffer.toString('base64url');
}

function show(endpoint: TokenEndpoint, form: URLSearchParams, headers: Record<string, string>): string {
  const fields = [...form.entries()].map(([key, value]) => `${key}=${SECRET_FIELDS.has(key) ? REDACTED : encodeURIComponent(value)}`);
  const header = Object.keys(headers).map((name) => ` ${name}: ${headers[name]!.split(' ')[0]} ${REDACTED}`);
  return `POST ${endpoint.url.origin}${endpoint.url.pathname}${header.join('')} ${fields.join('&')}`;
}

function invalid(field: 'oauthPrivateKey' | 'oauthCertificate' | 'oauthServiceAccountKey' | 'oauthClientSecret' | 'oauthClientId', reason: string): TokenFailure {
  return new TokenFailure('OAUTH_CREDENTIAL_INVALID', field, { reason }, reason, false);
}

function privateKey(pem: string, field: 'oauthPrivateKey' | 'oauthServiceAccountKey'): KeyObject {
  let key: KeyObject;
  try {
    key = createPrivateKey(pem);
  } catch {
    throw invalid(field, 'The private key is not a PEM private key');
  }
  if (key.asymmetricKeyType !== 'rsa') throw invalid(field, `The private key is ${key.asymmetricKeyType ?? 'unknown'}, not RSA (RS256)`);
  return key;
}

/** RFC 7523 client assertion as Microsoft Entra wants it: x5t (SHA-1) and x5t#S256 of the certificate. */
async function clientAssertion(settings: OAuthSettings, endpoint: TokenEndpoint, now: number): Promise<{ assertion: string; thumbprint: string }> {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(settings.certificate ?? '');
  } catch {
    throw invalid('oauthCertificate', 'The certificate is not a PEM certificate');
  }
  const key = privateKey(settings.privateKey ?? '', 'oauthPrivateKey');
  if (!cert.checkPrivateKey(key)) throw invalid('oauthPrivateKey', 'The private key does not belong to the certificate');
  const thumbprint = createHash('sha1').update(cert.raw).digest('hex').toUpperCase();
  if (new Date(cert.validTo).getTime() < now) {
    throw new TokenFailure(
      'OAUTH_CERTIFICATE_EXPIRED',
      'oauthCertificate',
      { expiry: new Date(cert.validTo).toISOString() },
      `The certificate (thumbprint ${thumbprint}) expired on ${cert.validTo}`,
      false,
    );
  }
  const seconds = Math.floor(now / 1000);
  const assertion = await new SignJWT({ jti: randomUUID() })
    .setProtectedHeader({
      alg: 'RS256',
      typ: 'JWT',
      x5t: base64url(createHash('sha1').update(cert.raw).digest()),
      'x5t#S256': base64url(createHash('sha256').update(cert.raw).digest()),
    })
    .setIssuer(settings.clientId ?? '')
    .setSubject(settings.clientId ?? '')
    .setAudience(endpoint.url.href)
    .setIssuedAt(seconds)
    .setNotBefore(seconds)
    .setExpirationTime(seconds + ASSERTION_SECONDS)
    .sign(key);
  return { assertion, thumbprint };
}

type ServiceAccount = { client_email: string; private_key: string; private_key_id?: string; client_id?: string };

function serviceAccount(json: string | null): ServiceAccount {
  let parsed: Partial<ServiceAccount> & { type?: string };
  try {
    parsed = JSON.parse(json ?? '') as typeof parsed;
  } catch {
    throw invalid('oauthServiceAccountKey', 'The service-account key is not JSON');
  }
  if (parsed.type !== 'service_account' || typeof parsed.client_email !== 'string' || typeof parsed.private_key !== 'string') {
    throw invalid('oauthServiceAccountKey', 'The JSON is not a service-account key (type, client_email, private_key)');
  }
  return parsed as ServiceAccount;
}

/** The token request for these settings, signed now (assertions are single-use: one per request). */
export async function buildTokenRequest(settings: OAuthSettings, endpoint: TokenEndpoint, now = Date.now()): Promise<TokenRequest> {
  const form = new URLSearchParams();
  const headers: Record<string, string> = {};
  const secrets: string[] = [];
  const context = { serviceAccountClientId: '', thumbprint: '', scope: endpoint.scope };

  if (settings.provider === 'google') {
    const account = serviceAccount(settings.serviceAccountKey);
    secrets.push(account.private_key, settings.serviceAccountKey ?? '');
    const key = privateKey(account.private_key, 'oauthServiceAccountKey');
    const seconds = Math.floor(now / 1000);
    const assertion = await new SignJWT({ scope: endpoint.scope })
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT', ...(account.private_key_id ? { kid: account.private_key_id } : {}) })
      .setIssuer(account.client_email)
      .setSubject(settings.mailbox)
      .setAudience(endpoint.url.href)
      .setIssuedAt(seconds)
      .setExpirationTime(seconds + 3600)
      .sign(key);
    secrets.push(assertion);
    form.set('grant_type', JWT_BEARER);
    form.set('assertion', assertion);
    context.serviceAccountClientId = account.client_id ?? account.client_email;
  } else if (settings.provider === 'microsoft') {
    if (!settings.clientId) throw invalid('oauthClientId', 'The application (client) id is missing');
    form.set('grant_type', 'client_credentials');
    form.set('client_id', settings.clientId);
    form.set('scope', endpoint.scope);
    if (settings.privateKey || settings.certificate) {
      const { assertion, thumbprint } = await clientAssertion(settings, endpoint, now);
      secrets.push(settings.privateKey ?? '', assertion);
      context.thumbprint = thumbprint;
      form.set('client_assertion_type', CLIENT_ASSERTION_TYPE);
      form.set('client_assertion', assertion);
    } else {
      if (!settings.clientSecret) throw invalid('oauthClientSecret', 'Neither a client secret nor a certificate is set');
      secrets.push(settings.clientSecret);
      form.set('client_secret', settings.clientSecret);
    }
  } else {
    if (!settings.clientId) throw invalid('oauthClientId', 'The client id is missing');
    if (!settings.clientSecret) throw invalid('oauthClientSecret', 'The client secret is missing');
    secrets.push(settings.clientSecret);
    // RFC 6749 2.3.1: the form-encoded id and secret in HTTP Basic, which every server must accept.
    const basic = Buffer.from(`${encodeURIComponent(settings.clientId)}:${encodeURIComponent(settings.clientSecret)}`).toString('base64');
    secrets.push(basic);
    headers.authorization = `Basic ${basic}`;
    form.set('grant_type', 'client_credentials');
    if (endpoint.scope) form.set('scope', endpoint.scope);
  }
  return { form, headers, shown: show(endpoint, form, headers), secrets: secrets.filter((s) => s.length >= 3), context };
}
