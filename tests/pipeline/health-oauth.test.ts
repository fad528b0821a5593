import '../helpers/test-env';
// The daily health check of OAuth configurations (issues 12 and 15): the active version's token is
// obtained from the identity provider through the destination guard and the server is signed in to with
// XOAUTH2, like a validation; the client certificate's end date warns 21 days ahead and fails at 7; an
// expired client secret (AADSTS7000222) is a named problem. No credential or token is ever stored.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db } from '../helpers/factories';
import { startTestDns, type TestDns } from '../helpers/dns-zone';
import { MS_CERT_CLIENT, MS_CLIENT, MS_SECRET, MS_TENANT, OUTLOOK_RESOURCE, startTestIdp, type ClientCertificate, type TestIdp } from '../helpers/oauth-idp';
import { startOAuthSmtpServer, type OAuthSmtpServer } from '../helpers/oauth-smtp-server';
import { testCerts } from '../helpers/smtp-certs';
import { allowLocalServers, appliedTenant } from './helpers';
import { checkTenantHealth } from '@/server/health/check-tenant-health';
import { resetProbeBudgets } from '@/server/probes/rate-limit';
import { resetOAuthEnv } from '@/server/oauth/token-endpoints';

const MAILBOX = 'notifications@oauth-health.test';
let idp: TestIdp;
let exchange: OAuthSmtpServer;
let dns: TestDns;
let tenDays: ClientCertificate;
let fiveDays: ClientCertificate;

before(async () => {
  idp = await startTestIdp({ clientCertificateDays: [10, 5] });
  [tenDays, fiveDays] = idp.expiringClientCertificates as [ClientCertificate, ClientCertificate];
  process.env.RELAYDESK_OAUTH_AUTHORITY_MICROSOFT = idp.origin;
  resetOAuthEnv();
  const certs = await testCerts();
  exchange = await startOAuthSmtpServer({
    idp,
    cert: certs.localhost,
    style: 'microsoft',
    audiences: [OUTLOOK_RESOURCE],
    sendAs: { [MS_CLIENT]: [MAILBOX], [MS_CERT_CLIENT]: [MAILBOX] },
  });
  await allowLocalServers(exchange.port, idp.port);
  const domain = 'oauth-health.test';
  dns = await startTestDns({
    [domain]: { TXT: ['v=spf1 ip4:127.0.0.1 ip6:::1 -all'], MX: [{ exchange: `mx.${domain}`, priority: 10 }] },
    [`_dmarc.${domain}`]: { TXT: ['v=DMARC1; p=none'] },
    [`default._domainkey.${domain}`]: { TXT: ['v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC'] },
  });
});
after(async () => {
  delete process.env.RELAYDESK_OAUTH_AUTHORITY_MICROSOFT;
  resetOAuthEnv();
  await Promise.all([exchange.close(), idp.close(), dns.close()]);
});

const oauthFields = (credential: Record<string, unknown>) => ({
  authMethod: 'oauth2',
  username: MAILBOX,
  password: undefined,
  noReplyAddress: 'noreply@oauth-health.test',
  oauthProvider: 'microsoft',
  oauthCloud: 'global',
  oauthTenantId: MS_TENANT,
  ...credential,
});

async function check(tenantId: string) {
  await resetProbeBudgets();
  const outcome = await checkTenantHealth(tenantId);
  assert.ok(outcome, 'the tenant has an active configuration');
  return outcome;
}

async function latestSteps(tenantId: string) {
  const row = await db.healthCheck.findFirstOrThrow({ where: { tenantId }, orderBy: { checkedAt: 'desc' } });
  return { row, steps: JSON.parse(row.steps) as { step: string; ok: boolean; hint: { code: string } | null }[] };
}

test('an OAuth configuration is checked with a token and XOAUTH2; the secret and the token are stored nowhere', async () => {
  const t = await appliedTenant(exchange.port, oauthFields({ oauthClientId: MS_CLIENT, oauthClientSecret: MS_SECRET }));
  const tokensBefore = idp.requests.filter((p) => p.endsWith('/token')).length;
  const authsBefore = exchange.auths.length;
  const outcome = await check(t.tenant.id);
  assert.deepEqual(outcome.problems, [], JSON.stringify(outcome.problems));
  assert.equal(outcome.healthy, true);
  assert.equal(idp.requests.filter((p) => p.endsWith('/token')).length - tokensBefore, 1, 'one token request');
  const auths = exchange.auths.slice(authsBefore);
  assert.deepEqual(
    auths.map((a) => [a.user, a.ok]),
    [[MAILBOX, true]],
    'signed in with XOAUTH2 as the mailbox',
  );
  const { row, steps } = await latestSteps(t.tenant.id);
  assert.deepEqual(
    steps.slice(0, 2).map((s) => s.step),
    ['token', 'dns'],
  );
  assert.ok(
    steps.every((s) => s.ok),
    JSON.stringify(steps),
  );
  const stored = JSON.stringify(row);
  assert.ok(!stored.includes(MS_SECRET), 'the client secret is not stored');
  assert.ok(!stored.includes(auths[0]!.token), 'the access token is not stored');
  assert.ok(!stored.includes(Buffer.from(MS_SECRET).toString('base64').replace(/=+$/, '')));
});

test('an expired client secret (AADSTS7000222) is its own problem, audited once', async () => {
  const t = await appliedTenant(exchange.port, oauthFields({ oauthClientId: MS_CLIENT, oauthClientSecret: MS_SECRET }));
  assert.deepEqual((await check(t.tenant.id)).problems, []);
  idp.state.secretExpired = true;
  try {
    const expired = await check(t.tenant.id);
    assert.equal(expired.healthy, false);
    assert.deepEqual(
      expired.problems.map((p) => [p.key, p.severity]),
      [['oauth.secret_expired', 'fail']],
    );
    assert.match(expired.problems[0]!.detail, /OAUTH_SECRET_EXPIRED/);
    assert.match(expired.problems[0]!.detail, /AADSTS7000222/);
    assert.deepEqual(
      expired.transition?.added.map((p) => p.key),
      ['oauth.secret_expired'],
    );
    assert.equal((await check(t.tenant.id)).transition, null, 'said once, not every day');
    const { steps } = await latestSteps(t.tenant.id);
    assert.deepEqual(steps.map((s) => [s.step, s.ok, s.hint?.code ?? null]).slice(0, 1), [['token', false, 'OAUTH_SECRET_EXPIRED']]);
  } finally {
    idp.state.secretExpired = false;
  }
  const events = await db.auditEvent.findMany({ where: { tenantId: t.tenant.id, action: 'health.changed' } });
  assert.equal(events.length, 1);
  assert.ok(!JSON.stringify(events).includes(MS_SECRET));
});

test('a client certificate ending in 10 days warns; one ending in 5 days fails; both still send', async () => {
  const warn = await appliedTenant(exchange.port, oauthFields({ oauthClientId: MS_CERT_CLIENT, oauthCertificate: tenDays.cert, oauthPrivateKey: tenDays.key }));
  const soon = await appliedTenant(exchange.port, oauthFields({ oauthClientId: MS_CERT_CLIENT, oauthCertificate: fiveDays.cert, oauthPrivateKey: fiveDays.key }));
  const first = await check(warn.tenant.id);
  assert.deepEqual(
    first.problems.map((p) => [p.key, p.severity]),
    [['oauth.certificate_expiring', 'warn']],
  );
  assert.match(first.problems[0]!.detail, /expires in (9|10) days/);
  assert.equal(first.healthy, true, 'a warning is not unhealthy');
  assert.deepEqual(
    first.transition?.added.map((p) => p.key),
    ['oauth.certificate_expiring'],
    'crossing the threshold is news',
  );
  const second = await check(soon.tenant.id);
  assert.deepEqual(
    second.problems.map((p) => [p.key, p.severity]),
    [['oauth.certificate_expires_soon', 'fail']],
  );
  assert.equal(second.healthy, false);
  assert.equal((await check(soon.tenant.id)).transition, null);
  const { row } = await latestSteps(soon.tenant.id);
  assert.ok(!row.steps.includes(fiveDays.key.split('\n')[1]!), 'no line of the private key is stored');
});
