// A real OAuth 2.0 authorization server on loopback, over TLS with the test CA:
// - oidc-provider 8 for the client-credentials grant (Microsoft with a client secret or a
//   private_key_jwt certificate assertion, and a generic provider with client_secret_basic), issuing
//   JWT access tokens through resourceIndicators; a small Koa middleware adds the AADSTS codes Entra
//   puts in its errors, and unknown tenants are answered like Entra (AADSTS90002) before the provider;
// - a second token endpoint built on jose for Google's JWT-bearer grant (RFC 7523 §2.1), which
//   oidc-provider does not implement: it verifies the service account's assertion and issues a JWT
//   access token for the impersonated mailbox, signed with the same key (one JWKS for the SMTP server).
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { exportJWK, importJWK, jwtVerify, SignJWT, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { generate } from 'selfsigned';
import { testCerts, type KeyCert } from './smtp-certs';

export const MS_TENANT = '8f0c1f5e-7d3b-4c55-9c1e-2f4a6b8d0e11';
export const MS_CLIENT = '3b9d2c41-6a7e-4f08-b5d1-0c2e4f6a8b19';
export const MS_SECRET = 'Ms~Client.Secret_value-0123456789';
export const MS_CERT_CLIENT = 'a1d4c7e0-2b5f-4e83-9a6c-1d3f5b7e9c20';
export const GENERIC_CLIENT = 'relaydesk-generic';
export const GENERIC_SECRET = 'Generic-Client-S3cret-value';
export const GENERIC_NARROW_CLIENT = 'relaydesk-no-smtp-scope';
export const OUTLOOK_RESOURCE = 'https://outlook.office365.com';
export const MS_SCOPE = `${OUTLOOK_RESOURCE}/.default`;
export const GENERIC_RESOURCE = 'https://smtp.generic.test';
export const GENERIC_SCOPE = 'smtp.send';
export const GOOGLE_RESOURCE = 'https://mail.google.com/';
export const GOOGLE_SA_EMAIL = 'relaydesk@relaydesk-test.iam.gserviceaccount.com';
export const GOOGLE_SA_CLIENT_ID = '109876543210987654321';

export type RsaPair = { privateKey: KeyObject; publicKey: KeyObject; privatePem: string };
export type ClientCertificate = { cert: string; key: string };

export type TestIdp = {
  port: number;
  /** https://<host>:<port>: the issuer, and RELAYDESK_OAUTH_AUTHORITY_MICROSOFT. */
  origin: string;
  issuer: string;
  googleTokenUrl: string;
  genericTokenUrl: string;
  /** The public keys access tokens are signed with. */
  jwks: { keys: JWK[] };
  clientCertificate: ClientCertificate;
  expiredClientCertificate: ClientCertificate;
  /** A valid certificate Entra does not know (not registered for the application). */
  unregisteredClientCertificate: ClientCertificate;
  /** Registered certificates ending in the days startTestIdp was given (clientCertificateDays), in that order. */
  expiringClientCertificates: ClientCertificate[];
  serviceAccountKey: string;
  /** Mailboxes the Google service account may impersonate (domain-wide delegation). */
  delegated: Set<string>;
  /** Seconds access tokens live; a test shortens it. */
  ttl: { seconds: number };
  /** Token requests answered, by path. */
  requests: string[];
  /**
   * 'up'; 'down': 503 (an outage); 'hang': never answers; 'redirect': 302 elsewhere; 'huge': a 1 MiB answer.
   * secretExpired: the Microsoft client secret is past its end date in Entra (AADSTS7000222).
   */
  state: { mode: 'up' | 'down' | 'hang' | 'redirect' | 'huge'; secretExpired?: boolean };
  close: () => Promise<void>;
};

function rsaPair(): RsaPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { privateKey, publicKey, privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

async function clientCert(name: string, dates: { notBeforeDate?: Date; notAfterDate?: Date } = {}): Promise<ClientCertificate> {
  const made = await generate([{ name: 'commonName', value: name }], { keySize: 2048, algorithm: 'sha256', ...dates });
  return { cert: made.cert, key: made.private };
}

async function publicJwkOfCert(pem: string): Promise<JWK> {
  const { X509Certificate } = await import('node:crypto');
  return exportJWK(new X509Certificate(pem).publicKey);
}

/** Entra's answer shape: the RFC 6749 error plus AADSTS code in the description and error_codes. */
function entraError(error: string, code: number, text: string) {
  return { error, error_description: `AADSTS${code}: ${text} Trace ID: ${randomUUID()} Correlation ID: ${randomUUID()}`, error_codes: [code] };
}

export async function startTestIdp(options: { host?: string; cert?: KeyCert; clientCertificateDays?: number[] } = {}): Promise<TestIdp> {
  const certs = await testCerts();
  const host = options.host ?? 'localhost';
  const tlsCert = options.cert ?? certs.localhost;
  const signing = rsaPair();
  const signingJwk = { ...(await exportJWK(signing.privateKey)), kid: 'relaydesk-test-idp', alg: 'RS256', use: 'sig' };
  const publicJwk = { ...(await exportJWK(signing.publicKey)), kid: 'relaydesk-test-idp', alg: 'RS256', use: 'sig' };
  const [clientCertificate, expiredClientCertificate, unregisteredClientCertificate] = await Promise.all([
    clientCert('relaydesk-client'),
    clientCert('relaydesk-client-expired', { notBeforeDate: new Date('2020-01-01'), notAfterDate: new Date('2021-01-01') }),
    clientCert('relaydesk-client-unregistered'),
  ]);
  const day = 86_400_000;
  const expiringClientCertificates = await Promise.all(
    (options.clientCertificateDays ?? []).map((days) =>
      clientCert(`relaydesk-client-${days}d`, { notBeforeDate: new Date(Date.now() - day), notAfterDate: new Date(Date.now() + days * day) }),
    ),
  );
  const serviceAccount = rsaPair();
  const serviceAccountKey = JSON.stringify({
    type: 'service_account',
    project_id: 'relaydesk-test',
    private_key_id: 'sa-key-1',
    private_key: serviceAccount.privatePem,
    client_email: GOOGLE_SA_EMAIL,
    client_id: GOOGLE_SA_CLIENT_ID,
    token_uri: 'https://oauth2.googleapis.com/token',
  });

  const ttl = { seconds: 3600 };
  const state: TestIdp['state'] = { mode: 'up' };
  const requests: string[] = [];
  const delegated = new Set<string>();

  let dispatch: (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void = (_req, res) => res.writeHead(503).end();
  const server = https.createServer({ key: tlsCert.key, cert: tlsCert.cert }, (req, res) => dispatch(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const origin = `https://${host}:${port}`;
  const tokenPath = `/${MS_TENANT}/oauth2/v2.0/token`;
  const googleTokenUrl = `${origin}/google/token`;

  const msCertJwks = { keys: await Promise.all([clientCertificate, expiredClientCertificate, ...expiringClientCertificates].map((c) => publicJwkOfCert(c.cert))) };
  const common = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] };
  const provider = new Provider(origin, {
    clients: [
      { ...common, client_id: MS_CLIENT, client_secret: MS_SECRET, token_endpoint_auth_method: 'client_secret_post' },
      { ...common, client_id: MS_CERT_CLIENT, token_endpoint_auth_method: 'private_key_jwt', token_endpoint_auth_signing_alg: 'RS256', jwks: msCertJwks },
      { ...common, client_id: GENERIC_CLIENT, client_secret: GENERIC_SECRET, token_endpoint_auth_method: 'client_secret_basic', scope: GENERIC_SCOPE },
      { ...common, client_id: GENERIC_NARROW_CLIENT, client_secret: GENERIC_SECRET, token_endpoint_auth_method: 'client_secret_basic', scope: 'profile' },
    ],
    jwks: { keys: [signingJwk] },
    scopes: [GENERIC_SCOPE, MS_SCOPE, 'profile'],
    routes: { token: tokenPath },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: (_ctx, client) => (client.clientId.startsWith('relaydesk-') ? GENERIC_RESOURCE : OUTLOOK_RESOURCE),
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, resource) => ({
          scope: resource === OUTLOOK_RESOURCE ? MS_SCOPE : GENERIC_SCOPE,
          audience: resource,
          accessTokenFormat: 'jwt',
          accessTokenTTL: ttl.seconds,
          jwt: { sign: { alg: 'RS256' } },
        }),
      },
    },
    clockTolerance: 5,
    cookies: { keys: ['relaydesk-test-idp-cookies'] },
    ttl: { ClientCredentials: () => ttl.seconds },
  });
  // Entra's codes on top of oidc-provider's RFC 6749 errors, for the Microsoft clients only.
  provider.use(async (ctx, next) => {
    await next();
    const body = ctx.body as { error?: string } | undefined;
    if (ctx.path !== tokenPath) return;
    const form = (ctx.oidc as unknown as { params?: Record<string, string | undefined> } | undefined)?.params ?? {};
    const clientId = form.client_id ?? '';
    // Entra checks the secret's end date after the secret itself: a right but expired secret is 7000222.
    if (state.secretExpired && !body?.error && clientId === MS_CLIENT && form.client_secret) {
      ctx.status = 401;
      ctx.body = entraError('invalid_client', 7000222, `The provided client secret keys for app '${clientId}' are expired.`);
      return;
    }
    if (!body?.error) return;
    if (clientId.startsWith('relaydesk-') || ctx.get('authorization')) return;
    if (body.error === 'invalid_client') {
      if (clientId !== MS_CLIENT && clientId !== MS_CERT_CLIENT)
        ctx.body = entraError('unauthorized_client', 700016, `Application with identifier '${clientId}' was not found in the directory.`);
      else if (form.client_assertion)
        ctx.body = entraError('invalid_client', 700027, 'The certificate with identifier used to sign the client assertion is not registered on application.');
      else ctx.body = entraError('invalid_client', 7000215, 'Invalid client secret provided.');
    } else if (body.error === 'invalid_scope') {
      ctx.body = entraError('invalid_scope', 70011, "The provided value for the input parameter 'scope' isn't valid.");
    }
  });
  const providerCallback = provider.callback();

  const googleVerifyKey = serviceAccount.publicKey;
  const accessSigningKey = await importJWK(signingJwk, 'RS256');

  async function googleToken(body: URLSearchParams): Promise<{ status: number; json: Record<string, unknown> }> {
    if (body.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer')
      return { status: 400, json: { error: 'unsupported_grant_type', error_description: 'Invalid grant_type' } };
    let claims;
    try {
      ({ payload: claims } = await jwtVerify(body.get('assertion') ?? '', googleVerifyKey, {
        audience: googleTokenUrl,
        issuer: GOOGLE_SA_EMAIL,
        clockTolerance: 5,
        maxTokenAge: '1h',
      }));
    } catch (error) {
      const code = (error as { code?: string }).code ?? '';
      if (code === 'ERR_JWT_EXPIRED' || /iat|nbf/.test(String((error as Error).message))) {
        return {
          status: 400,
          json: {
            error: 'invalid_grant',
            error_description: 'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.',
          },
        };
      }
      return { status: 400, json: { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' } };
    }
    const scopes = String(claims.scope ?? '').split(' ');
    const subject = String(claims.sub ?? '');
    if (!scopes.includes(GOOGLE_RESOURCE) || !delegated.has(subject)) {
      return {
        status: 401,
        json: {
          error: 'unauthorized_client',
          error_description: 'Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.',
        },
      };
    }
    const accessToken = await new SignJWT({ scope: GOOGLE_RESOURCE, client_id: GOOGLE_SA_CLIENT_ID, email: subject })
      .setProtectedHeader({ alg: 'RS256', kid: signingJwk.kid, typ: 'at+jwt' })
      .setIssuer(origin)
      .setAudience(GOOGLE_RESOURCE)
      .setSubject(subject)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${ttl.seconds}s`)
      .sign(accessSigningKey);
    return { status: 200, json: { access_token: accessToken, expires_in: ttl.seconds, token_type: 'Bearer' } };
  }

  dispatch = (req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    requests.push(path);
    const send = (status: number, json: Record<string, unknown>) => res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(json));
    if (state.mode === 'down') return send(503, { error: 'temporarily_unavailable', error_description: 'The service is down for the test.' });
    if (state.mode === 'hang') return;
    if (state.mode === 'redirect') return res.writeHead(302, { location: 'https://login.example.test/token' }).end();
    if (state.mode === 'huge') return send(200, { access_token: 'x'.repeat(1024 * 1024) });
    const tenantPath = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(path);
    if (tenantPath && tenantPath[1] !== MS_TENANT) {
      return send(
        400,
        entraError(
          'invalid_request',
          90002,
          `Tenant '${decodeURIComponent(tenantPath[1]!)}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud.`,
        ),
      );
    }
    if (path === '/google/token') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        googleToken(new URLSearchParams(Buffer.concat(chunks).toString('utf8'))).then(
          ({ status, json }) => send(status, json),
          () => send(500, { error: 'server_error' }),
        );
      });
      return;
    }
    if (path === '/generic/token') req.url = tokenPath;
    providerCallback(req, res);
  };

  return {
    port,
    origin,
    issuer: origin,
    googleTokenUrl,
    genericTokenUrl: `${origin}/generic/token`,
    jwks: { keys: [publicJwk] },
    clientCertificate,
    expiredClientCertificate,
    unregisteredClientCertificate,
    expiringClientCertificates,
    serviceAccountKey,
    delegated,
    ttl,
    requests,
    state,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
