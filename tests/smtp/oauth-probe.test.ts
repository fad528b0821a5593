// The probe with OAuth: a token step before the connection, then AUTH XOAUTH2 against an SMTP server that
// verifies the token with the identity provider's keys. Every result is searched for the secrets.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { resetOAuthEnv } from '../../server/oauth/token-endpoints';
import type { ProbeResult, SmtpConfig } from '../../server/smtp/types';
import {
  GENERIC_CLIENT,
  GENERIC_RESOURCE,
  GENERIC_SECRET,
  GOOGLE_RESOURCE,
  MS_CERT_CLIENT,
  MS_CLIENT,
  MS_SECRET,
  OUTLOOK_RESOURCE,
  startTestIdp,
  type TestIdp,
} from '../helpers/oauth-idp';
import { genericSettings, googleSettings, microsoftSettings } from '../helpers/oauth-settings';
import { startOAuthSmtpServer, type OAuthSmtpServer } from '../helpers/oauth-smtp-server';
import { TEST_HOST, testCerts } from '../helpers/smtp-certs';
import { configFor, lastStep, probe } from '../helpers/smtp-fixtures';
import { startSmtpServer } from '../helpers/smtp-test-server';

const MAILBOX = 'notifications@acme.test';
let idp: TestIdp;
let exchange: OAuthSmtpServer;
let gmail: OAuthSmtpServer;

before(async () => {
  idp = await startTestIdp({ host: TEST_HOST, cert: (await testCerts()).valid });
  idp.delegated.add(MAILBOX);
  process.env.RELAYDESK_OAUTH_AUTHORITY_MICROSOFT = idp.origin;
  process.env.RELAYDESK_OAUTH_TOKEN_URL_GOOGLE = idp.googleTokenUrl;
  resetOAuthEnv();
  exchange = await startOAuthSmtpServer({ idp, style: 'microsoft', audiences: [OUTLOOK_RESOURCE], sendAs: { [MS_CLIENT]: [MAILBOX], [MS_CERT_CLIENT]: [MAILBOX] } });
  gmail = await startOAuthSmtpServer({ idp, style: 'google', audiences: [GOOGLE_RESOURCE, GENERIC_RESOURCE], sendAs: { [GENERIC_CLIENT]: [MAILBOX] } });
});
after(async () => {
  delete process.env.RELAYDESK_OAUTH_AUTHORITY_MICROSOFT;
  delete process.env.RELAYDESK_OAUTH_TOKEN_URL_GOOGLE;
  resetOAuthEnv();
  await Promise.all([exchange.close(), gmail.close(), idp.close()]);
});

function oauthConfig(server: OAuthSmtpServer, oauth: SmtpConfig['oauth'], overrides: Partial<SmtpConfig> = {}): SmtpConfig {
  return configFor(server.port, { authMethod: 'oauth2', username: oauth?.mailbox ?? MAILBOX, password: '', oauth, ...overrides });
}

function run(config: SmtpConfig, kind: 'validate' | 'test-send' = 'validate') {
  return probe(config, { allowedPorts: [config.port, idp.port], kind, timeoutMs: 8000, stepTimeoutMs: 4000 });
}

/** No credential, assertion or token in any form anywhere in the result. */
function assertNoSecrets(result: ProbeResult, ...servers: OAuthSmtpServer[]) {
  const text = JSON.stringify(result);
  const secrets = [
    MS_SECRET,
    GENERIC_SECRET,
    idp.clientCertificate.key.split('\n')[1]!,
    JSON.parse(idp.serviceAccountKey).private_key.split('\n')[1],
    ...servers.flatMap((s) => s.auths.map((a) => a.token)),
  ];
  for (const secret of secrets) {
    assert.ok(!text.includes(secret), `a secret leaked: ${secret.slice(0, 12)}…`);
    assert.ok(!text.includes(Buffer.from(secret).toString('base64').slice(0, 40)), 'a secret leaked in base64');
  }
  assert.ok(!/AUTH XOAUTH2 (?!\[redacted\])/.test(text), 'the XOAUTH2 payload is recorded redacted');
}

test('Microsoft 365 with a client secret: token, then AUTH XOAUTH2; the token step is shown first with the redacted request', async () => {
  const result = await run(oauthConfig(exchange, microsoftSettings(idp, MAILBOX)), 'test-send');
  assert.equal(result.ok, true, JSON.stringify(result.steps, null, 1));
  assert.deepEqual(result.steps.map((s) => s.step).slice(0, 2), ['token', 'dns']);
  const token = result.steps[0]!;
  assert.match(
    token.detail,
    /^POST https:\/\/mail\.relaydesk\.test:\d+\/.+\/oauth2\/v2\.0\/token .*client_secret=\[redacted\].* → HTTP 200: access token \(Bearer\), expires in \d+ s$/,
  );
  const lines = result.transcript.map((l) => `${l.dir} ${l.text}`).join('\n');
  assert.match(lines, /\* POST https:\/\/mail\.relaydesk\.test:\d+\/[^ ]+\/oauth2\/v2\.0\/token .*client_secret=\[redacted\]/);
  assert.match(lines, /C AUTH XOAUTH2 \[redacted\]/);
  assert.match(lines, /S 235 /);
  assert.equal(exchange.received.at(-1)?.user, MAILBOX);
  assertNoSecrets(result, exchange);
});

test('Microsoft 365 with a certificate: client assertion, then XOAUTH2', async () => {
  const settings = microsoftSettings(idp, MAILBOX, {
    clientId: MS_CERT_CLIENT,
    clientSecret: null,
    certificate: idp.clientCertificate.cert,
    privateKey: idp.clientCertificate.key,
  });
  const result = await run(oauthConfig(exchange, settings));
  assert.equal(result.ok, true, JSON.stringify(result.steps, null, 1));
  assert.match(result.transcript.map((l) => l.text).join('\n'), /client_assertion=\[redacted\]/);
  assertNoSecrets(result, exchange);
});

test('Google service account: JWT-bearer token for the mailbox, then XOAUTH2', async () => {
  const result = await run(oauthConfig(gmail, googleSettings(idp, MAILBOX)), 'test-send');
  assert.equal(result.ok, true, JSON.stringify(result.steps, null, 1));
  assert.equal(gmail.received.at(-1)?.user, MAILBOX);
  assertNoSecrets(result, gmail);
});

test('generic provider: client credentials, then XOAUTH2', async () => {
  const result = await run(oauthConfig(gmail, genericSettings(idp, MAILBOX)));
  assert.equal(result.ok, true, JSON.stringify(result.steps, null, 1));
  assertNoSecrets(result, gmail);
});

test('wrong client secret: the token step fails on oauthClientSecret with AADSTS7000215, nothing is connected', async () => {
  const connectionsBefore = exchange.auths.length;
  const result = await run(oauthConfig(exchange, microsoftSettings(idp, MAILBOX, { clientSecret: 'Wrong~Secret-value-000' })));
  const step = lastStep(result);
  assert.equal(step.step, 'token');
  assert.equal(step.hint?.code, 'OAUTH_SECRET_INVALID');
  assert.equal(step.field, 'oauthClientSecret');
  assert.equal(step.hint?.params.providerCode, 'AADSTS7000215');
  assert.match(step.detail, /AADSTS7000215/);
  assert.equal(result.steps.length, 1);
  assert.equal(exchange.auths.length, connectionsBefore);
  assert.ok(!JSON.stringify(result).includes('Wrong~Secret-value-000'));
});

test('wrong tenant id: the token step fails on oauthTenantId', async () => {
  const step = lastStep(await run(oauthConfig(exchange, microsoftSettings(idp, MAILBOX, { tenantId: 'fabrikam.onmicrosoft.test' }))));
  assert.equal(step.hint?.code, 'OAUTH_TENANT_UNKNOWN');
  assert.equal(step.field, 'oauthTenantId');
});

test('token for another mailbox at Exchange: 535 5.7.3 after XOAUTH2 → SendAsApp, service principal, mailbox permission', async () => {
  const result = await run(oauthConfig(exchange, microsoftSettings(idp, 'ceo@acme.test')));
  const step = lastStep(result);
  assert.equal(step.step, 'auth');
  assert.equal(step.hint?.code, 'M365_OAUTH_SEND_DENIED');
  assert.match(step.reply, /^535 5\.7\.3/);
  assertNoSecrets(result, exchange);
});

test('token for another mailbox at a Google-style server: the 334 JSON challenge is read, answered, and diagnosed on the username', async () => {
  const result = await run(oauthConfig(gmail, genericSettings(idp, 'ceo@acme.test')));
  const step = lastStep(result);
  assert.equal(step.hint?.code, 'OAUTH_TOKEN_REJECTED');
  assert.equal(step.field, 'username');
  assert.match(step.reply, /^535 /);
  const lines = result.transcript.map((l) => `${l.dir} ${l.text}`);
  assert.ok(
    lines.some((l) => /^S 334 /.test(l)),
    'the challenge is in the transcript',
  );
  assert.ok(
    lines.some((l) => /refused the token: status=400, schemes=Bearer, scope=https:\/\/mail\.google\.com\//.test(l)),
    lines.join('\n'),
  );
  assert.ok(lines.includes('C '), 'the empty response to the challenge was sent');
  assertNoSecrets(result, gmail);
});

test('SMTP AUTH disabled for the mailbox: 535 5.7.139 after XOAUTH2 → M365_OAUTH_SMTP_DISABLED', async () => {
  exchange.refuseAll.reply = { code: 535, message: '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Mailbox.' };
  try {
    const step = lastStep(await run(oauthConfig(exchange, microsoftSettings(idp, MAILBOX))));
    assert.equal(step.hint?.code, 'M365_OAUTH_SMTP_DISABLED');
  } finally {
    exchange.refuseAll.reply = null;
  }
});

test('server without XOAUTH2: AUTH_METHOD_NOT_OFFERED, and no token is sent to it', async () => {
  const plainOnly = await startSmtpServer({ authMethods: ['PLAIN', 'LOGIN'] });
  try {
    const result = await run(configFor(plainOnly.port, { authMethod: 'oauth2', username: MAILBOX, password: '', oauth: microsoftSettings(idp, MAILBOX) }));
    const step = lastStep(result);
    assert.equal(step.hint?.code, 'AUTH_METHOD_NOT_OFFERED');
    assert.equal(step.hint?.params.method, 'XOAUTH2');
    assert.equal(plainOnly.auths.length, 0);
  } finally {
    await plainOnly.close();
  }
});

test('a password request to Microsoft 365 with Basic authentication off: 550 5.7.30 → switch to OAuth', async () => {
  const m365 = await startSmtpServer({ authReply: { code: 550, message: '5.7.30 Basic authentication is not supported for Client Submission.' } });
  try {
    const step = lastStep(await probe(configFor(m365.port)));
    assert.equal(step.hint?.code, 'M365_BASIC_AUTH_OFF');
    assert.equal(step.field, 'authMethod');
  } finally {
    await m365.close();
  }
});

test('token endpoint down: the token step fails with OAUTH_ENDPOINT_UNREACHABLE', async () => {
  idp.state.mode = 'down';
  try {
    const step = lastStep(await run(oauthConfig(exchange, microsoftSettings(idp, MAILBOX))));
    assert.equal(step.step, 'token');
    assert.equal(step.hint?.code, 'OAUTH_ENDPOINT_UNREACHABLE');
  } finally {
    idp.state.mode = 'up';
  }
});

test('oauth2 without OAuth settings: the token step names the provider field', async () => {
  const step = lastStep(await run(oauthConfig(exchange, null)));
  assert.equal(step.step, 'token');
  assert.equal(step.field, 'oauthProvider');
});
