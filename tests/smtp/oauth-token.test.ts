// Token requests against a real OAuth 2.0 server on loopback (tests/helpers/oauth-idp.ts), through the
// destination guard and TLS verified with the test CA: each provider path, and each mistake a customer
// makes, diagnosed on the field to change with the provider's code kept visible.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { after, before, test } from 'node:test';
import { requestAccessToken, type TokenRequestOptions } from '../../server/oauth/request-access-token';
import type { OAuthSettings } from '../../server/oauth/oauth-settings';
import { TokenFailure } from '../../server/oauth/token-failure';
import { tokenEndpoint, oauthEnv } from '../../server/oauth/token-endpoints';
import { renewAt } from '../../server/oauth/token-cache';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { testCerts } from '../helpers/smtp-certs';
import {
  GENERIC_CLIENT,
  GENERIC_NARROW_CLIENT,
  GENERIC_SECRET,
  GENERIC_SCOPE,
  MS_CERT_CLIENT,
  MS_CLIENT,
  MS_SECRET,
  MS_TENANT,
  startTestIdp,
  type TestIdp,
} from '../helpers/oauth-idp';
import { googleSettings, genericSettings, microsoftSettings } from '../helpers/oauth-settings';

let idp: TestIdp;
let options: TokenRequestOptions;
const MAILBOX = 'notifications@acme.test';

before(async () => {
  idp = await startTestIdp();
  idp.delegated.add(MAILBOX);
  options = {
    allowedHosts: ['127.0.0.1'],
    allowedPorts: [idp.port],
    trustedCa: [(await testCerts()).ca],
    timeoutMs: 5_000,
    env: { microsoftAuthority: idp.origin, googleTokenUrl: idp.googleTokenUrl },
  };
});
after(() => idp.close());

async function failure(settings: OAuthSettings, extra: Partial<TokenRequestOptions> = {}): Promise<TokenFailure> {
  const error = await requestAccessToken(settings, { ...options, ...extra }).then(
    () => null,
    (e: unknown) => e,
  );
  assert.ok(error instanceof TokenFailure, `expected a TokenFailure, got ${String(error)}`);
  return error;
}

test('Microsoft with a client secret: a JWT access token for Exchange Online, the request shown without the secret', async () => {
  const lines: string[] = [];
  const { token, secrets } = await requestAccessToken(microsoftSettings(idp, MAILBOX), { ...options, record: (l) => lines.push(l) });
  const claims = decodeJwt(token.value);
  assert.equal(claims.aud, 'https://outlook.office365.com');
  assert.equal(claims.client_id, MS_CLIENT);
  assert.ok(token.expiresAt > Date.now() + 3000_000);
  const shown = lines.join('\n');
  assert.match(shown, new RegExp(`POST ${idp.origin}/${MS_TENANT}/oauth2/v2.0/token`));
  assert.match(shown, /client_secret=\[redacted\]/);
  assert.match(shown, /scope=https%3A%2F%2Foutlook\.office365\.com%2F\.default/);
  assert.ok(!shown.includes(MS_SECRET) && !shown.includes(token.value));
  assert.ok(secrets.includes(MS_SECRET) && secrets.includes(token.value));
});

test('Microsoft with a certificate: RS256 client assertion with x5t and x5t#S256, accepted as private_key_jwt', async () => {
  const lines: string[] = [];
  const settings = microsoftSettings(idp, MAILBOX, {
    clientId: MS_CERT_CLIENT,
    clientSecret: null,
    certificate: idp.clientCertificate.cert,
    privateKey: idp.clientCertificate.key,
  });
  const { token, secrets } = await requestAccessToken(settings, { ...options, record: (l) => lines.push(l) });
  assert.equal(decodeJwt(token.value).client_id, MS_CERT_CLIENT);
  const assertion = secrets.find((s) => s.split('.').length === 3 && s !== token.value)!;
  const header = decodeProtectedHeader(assertion);
  assert.equal(header.alg, 'RS256');
  assert.match(String(header.x5t), /^[A-Za-z0-9_-]{27}$/);
  assert.match(String(header['x5t#S256']), /^[A-Za-z0-9_-]{43}$/);
  const claims = decodeJwt(assertion);
  assert.equal(claims.iss, MS_CERT_CLIENT);
  assert.equal(claims.sub, MS_CERT_CLIENT);
  assert.equal(claims.aud, `${idp.origin}/${MS_TENANT}/oauth2/v2.0/token`);
  assert.ok(claims.jti && claims.exp! - claims.nbf! <= 600);
  assert.match(lines.join('\n'), /client_assertion=\[redacted\]/);
  assert.ok(!lines.join('\n').includes(assertion));
  // The check that proves the certificate works also says until when (issue 15).
  const notAfter = new Date(new X509Certificate(idp.clientCertificate.cert).validTo).toISOString();
  assert.ok(lines.includes(`Client certificate valid until ${notAfter}`), lines.join('\n'));
});

test('Google: JWT-bearer grant for the delegated mailbox, token subject is the mailbox', async () => {
  const { token } = await requestAccessToken(googleSettings(idp, MAILBOX), options);
  const claims = decodeJwt(token.value);
  assert.equal(claims.sub, MAILBOX);
  assert.equal(claims.scope, 'https://mail.google.com/');
});

test('generic: client credentials with HTTP Basic and the scope', async () => {
  const lines: string[] = [];
  const { token } = await requestAccessToken(genericSettings(idp, MAILBOX), { ...options, record: (l) => lines.push(l) });
  assert.equal(decodeJwt(token.value).scope, GENERIC_SCOPE);
  assert.match(lines.join('\n'), /authorization: Basic \[redacted\]/);
  assert.ok(!lines.join('\n').includes(Buffer.from(`${GENERIC_CLIENT}:${GENERIC_SECRET}`).toString('base64')));
});

test('wrong client secret → AADSTS7000215 on oauthClientSecret, not temporary', async () => {
  const error = await failure(microsoftSettings(idp, MAILBOX, { clientSecret: 'not-the-secret' }));
  assert.equal(error.diagnosis?.code, 'OAUTH_SECRET_INVALID');
  assert.equal(error.field, 'oauthClientSecret');
  assert.equal(error.diagnosis?.params.providerCode, 'AADSTS7000215');
  assert.equal(error.temporary, false);
  assert.ok(!error.message.includes('not-the-secret'));
});

test('expired client secret → AADSTS7000222: its own diagnosis on oauthClientSecret, not a wrong secret', async () => {
  idp.state.secretExpired = true;
  try {
    const error = await failure(microsoftSettings(idp, MAILBOX));
    assert.equal(error.diagnosis?.code, 'OAUTH_SECRET_EXPIRED');
    assert.equal(error.field, 'oauthClientSecret');
    assert.equal(error.diagnosis?.params.providerCode, 'AADSTS7000222');
    assert.equal(error.temporary, false);
  } finally {
    idp.state.secretExpired = false;
  }
});

test('wrong tenant id → AADSTS90002 on oauthTenantId', async () => {
  const error = await failure(microsoftSettings(idp, MAILBOX, { tenantId: 'contoso.onmicrosoft.test' }));
  assert.equal(error.diagnosis?.code, 'OAUTH_TENANT_UNKNOWN');
  assert.equal(error.field, 'oauthTenantId');
  assert.equal(error.diagnosis?.params.providerCode, 'AADSTS90002');
  assert.equal(error.diagnosis?.params.tenant, 'contoso.onmicrosoft.test');
});

test('unknown application → AADSTS700016 on oauthClientId', async () => {
  const error = await failure(microsoftSettings(idp, MAILBOX, { clientId: '00000000-1111-2222-3333-444444444444' }));
  assert.equal(error.diagnosis?.code, 'OAUTH_CLIENT_UNKNOWN');
  assert.equal(error.field, 'oauthClientId');
});

test('expired certificate → OAUTH_CERTIFICATE_EXPIRED on oauthCertificate, before anything is sent', async () => {
  const before = idp.requests.length;
  const error = await failure(
    microsoftSettings(idp, MAILBOX, { clientId: MS_CERT_CLIENT, clientSecret: null, certificate: idp.expiredClientCertificate.cert, privateKey: idp.expiredClientCertificate.key }),
  );
  assert.equal(error.diagnosis?.code, 'OAUTH_CERTIFICATE_EXPIRED');
  assert.equal(error.field, 'oauthCertificate');
  assert.match(String(error.diagnosis?.params.expiry), /^2021-01-01/);
  assert.equal(idp.requests.length, before);
});

test('certificate not registered for the application → AADSTS700027 on oauthCertificate with its thumbprint', async () => {
  const cert = idp.unregisteredClientCertificate;
  const error = await failure(microsoftSettings(idp, MAILBOX, { clientId: MS_CERT_CLIENT, clientSecret: null, certificate: cert.cert, privateKey: cert.key }));
  assert.equal(error.diagnosis?.code, 'OAUTH_CERTIFICATE_UNKNOWN');
  assert.equal(error.field, 'oauthCertificate');
  assert.match(String(error.diagnosis?.params.thumbprint), /^[0-9A-F]{40}$/);
});

test('private key of another certificate → OAUTH_CREDENTIAL_INVALID on oauthPrivateKey', async () => {
  const error = await failure(
    microsoftSettings(idp, MAILBOX, { clientId: MS_CERT_CLIENT, clientSecret: null, certificate: idp.clientCertificate.cert, privateKey: idp.unregisteredClientCertificate.key }),
  );
  assert.equal(error.diagnosis?.code, 'OAUTH_CREDENTIAL_INVALID');
  assert.equal(error.field, 'oauthPrivateKey');
});

test('missing scope: the client may not have the SMTP scope → invalid_scope on oauthScope', async () => {
  const error = await failure(genericSettings(idp, MAILBOX, { clientId: GENERIC_NARROW_CLIENT }));
  assert.equal(error.diagnosis?.code, 'OAUTH_SCOPE_INVALID');
  assert.equal(error.field, 'oauthScope');
  assert.equal(error.diagnosis?.params.providerCode, 'invalid_scope');
});

test('Google without domain-wide delegation for the mailbox → unauthorized_client, naming the service account client id', async () => {
  const error = await failure(googleSettings(idp, 'someone-else@acme.test'));
  assert.equal(error.diagnosis?.code, 'OAUTH_DELEGATION_MISSING');
  assert.equal(error.diagnosis?.params.clientId, '109876543210987654321');
});

test('Google with a clock far off → invalid_grant diagnosed as clock skew', async () => {
  const error = await failure(googleSettings(idp, MAILBOX), { now: () => Date.now() - 3 * 3600_000 });
  assert.equal(error.diagnosis?.code, 'OAUTH_CLOCK_SKEW');
  assert.equal(error.diagnosis?.params.providerCode, 'invalid_grant');
});

test('token endpoint down (503) → temporary OAUTH_ENDPOINT_UNREACHABLE', async () => {
  idp.state.mode = 'down';
  try {
    const error = await failure(microsoftSettings(idp, MAILBOX));
    assert.equal(error.diagnosis?.code, 'OAUTH_ENDPOINT_UNREACHABLE');
    assert.equal(error.temporary, true);
  } finally {
    idp.state.mode = 'up';
  }
});

test('token endpoint too slow → temporary, within the time given', async () => {
  idp.state.mode = 'hang';
  try {
    const started = Date.now();
    const error = await failure(microsoftSettings(idp, MAILBOX), { timeoutMs: 600 });
    assert.equal(error.diagnosis?.code, 'OAUTH_ENDPOINT_UNREACHABLE');
    assert.equal(error.temporary, true);
    assert.ok(Date.now() - started < 2000);
  } finally {
    idp.state.mode = 'up';
  }
});

test('a redirect is not followed, and an oversized answer is not read', async () => {
  try {
    idp.state.mode = 'redirect';
    const redirected = await failure(genericSettings(idp, MAILBOX));
    assert.equal(redirected.diagnosis?.code, 'OAUTH_ENDPOINT_BAD_RESPONSE');
    assert.match(String(redirected.diagnosis?.params.reason), /302 redirect \(not followed\)/);
    assert.equal(redirected.field, 'oauthTokenUrl');
    idp.state.mode = 'huge';
    const huge = await failure(genericSettings(idp, MAILBOX));
    assert.equal(huge.diagnosis?.code, 'OAUTH_ENDPOINT_BAD_RESPONSE');
    assert.equal(huge.temporary, false);
    assert.match(String(huge.diagnosis?.params.reason), /larger than 65536 bytes/);
  } finally {
    idp.state.mode = 'up';
  }
});

test('token endpoint not listening → temporary OAUTH_ENDPOINT_UNREACHABLE (ECONNREFUSED)', async () => {
  const closed = await startTestIdp();
  await closed.close();
  const error = await failure(microsoftSettings(idp, MAILBOX), { allowedPorts: [closed.port], env: { microsoftAuthority: closed.origin, googleTokenUrl: null } });
  assert.equal(error.diagnosis?.code, 'OAUTH_ENDPOINT_UNREACHABLE');
  assert.equal(error.diagnosis?.params.reason, 'ECONNREFUSED');
  assert.equal(error.temporary, true);
});

test('the guard applies: a token URL on a loopback address that is not allow-listed is refused before any connection', async () => {
  const before = idp.requests.length;
  const error = await failure(genericSettings(idp, MAILBOX), { allowedHosts: [] });
  assert.equal(error.diagnosis?.code, 'OAUTH_ENDPOINT_REFUSED');
  assert.equal(error.field, 'oauthTokenUrl');
  assert.equal(idp.requests.length, before);
});

test('TLS is verified: without the test CA the endpoint is not trusted, and that is not temporary', async () => {
  const error = await failure(genericSettings(idp, MAILBOX), { trustedCa: [] });
  assert.equal(error.diagnosis?.code, 'OAUTH_ENDPOINT_UNREACHABLE');
  assert.equal(error.temporary, false);
});

test('the endpoint overrides must be https URLs without credentials', () => {
  assert.throws(() => oauthEnv({ RELAYDESK_OAUTH_AUTHORITY_MICROSOFT: 'http://login.example.test' }), /RELAYDESK_OAUTH_AUTHORITY_MICROSOFT must be an https URL/);
  assert.throws(() => oauthEnv({ RELAYDESK_OAUTH_TOKEN_URL_GOOGLE: 'https://u:p@token.example.test/t' }), /RELAYDESK_OAUTH_TOKEN_URL_GOOGLE must not carry credentials/);
  const env = oauthEnv({ RELAYDESK_OAUTH_AUTHORITY_MICROSOFT: 'https://login.example.test/' });
  assert.equal(tokenEndpoint(microsoftSettings(idp, MAILBOX, { tenantId: 'contoso.example' }), env).url.href, 'https://login.example.test/contoso.example/oauth2/v2.0/token');
  const china = tokenEndpoint(microsoftSettings(idp, MAILBOX, { cloud: 'china' }), { microsoftAuthority: null, googleTokenUrl: null });
  assert.equal(china.url.origin, 'https://login.chinacloudapi.cn');
  assert.equal(china.scope, 'https://partner.outlook.cn/.default');
  assert.throws(() => tokenEndpoint(microsoftSettings(idp, MAILBOX, { tenantId: '../evil' }), env), /tenant/);
});

test('tokens are renewed ahead of expiry: 5 minutes before, or at half the life of a short-lived token', () => {
  assert.equal(renewAt({ value: 't', obtainedAt: 0, expiresAt: 3600_000 }), 3300_000);
  assert.equal(renewAt({ value: 't', obtainedAt: 1000, expiresAt: 3000 }), 2000);
});

test('npm start refuses an endpoint override that is not a plain https URL, naming the variable', async () => {
  const { readEnv } = await import('../../server/env');
  assert.throws(() => readEnv({ RELAYDESK_OAUTH_TOKEN_URL_GOOGLE: 'http://token.example.test' }), /RELAYDESK_OAUTH_TOKEN_URL_GOOGLE: an https URL/);
  assert.doesNotThrow(() => readEnv({ RELAYDESK_OAUTH_AUTHORITY_MICROSOFT: 'https://login.microsoftonline.us' }));
});
