import '../helpers/test-env';
// The worker sending with OAuth: one token per tenant version from the test identity provider, cached and
// renewed ahead of expiry, renewed once when the SMTP server refuses it, the tenant paused when the
// provider refuses the credentials, a provider outage retried. The SMTP server hangs up after each
// message, so every message logs in again with the token of the moment.
// Until the request model stores OAuth settings, the tenant is applied through the password path and the
// worker's decrypted version is given the OAuth settings (useOAuthVersion).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { db } from '../helpers/factories';
import { captureConsole } from '../helpers/console-capture';
import { GENERIC_SECRET, GOOGLE_RESOURCE, MS_CLIENT, MS_SECRET, OUTLOOK_RESOURCE, startTestIdp, type TestIdp } from '../helpers/oauth-idp';
import { googleSettings, microsoftSettings } from '../helpers/oauth-settings';
import { startOAuthSmtpServer, type OAuthSmtpServer } from '../helpers/oauth-smtp-server';
import { allowLocalServers, appliedTenant, notify, papi, SMTP_PASSWORD, SMTP_USER, testWorker, waitFor, type AppliedTenant } from './helpers';
import type { OAuthSettings } from '@/server/oauth/oauth-settings';
import { resetOAuthEnv } from '@/server/oauth/token-endpoints';
import type { TenantTransports, VersionConfig } from '@/server/pipeline/tenant-transports';
import type { PipelineWorker } from '@/server/pipeline/worker';

const MAILBOX = 'notifications@acme.test';
let idp: TestIdp;
let exchange: OAuthSmtpServer;
let gmail: OAuthSmtpServer;
let worker: PipelineWorker;
const logs = captureConsole();
const made: AppliedTenant[] = [];

before(async () => {
  idp = await startTestIdp();
  idp.delegated.add(MAILBOX);
  process.env.RELAYDESK_OAUTH_AUTHORITY_MICROSOFT = idp.origin;
  process.env.RELAYDESK_OAUTH_TOKEN_URL_GOOGLE = idp.googleTokenUrl;
  resetOAuthEnv();
  const password = { user: SMTP_USER, pass: SMTP_PASSWORD };
  const certs = await (await import('../helpers/smtp-certs')).testCerts();
  exchange = await startOAuthSmtpServer({
    idp,
    cert: certs.localhost,
    style: 'microsoft',
    audiences: [OUTLOOK_RESOURCE],
    sendAs: { [MS_CLIENT]: [MAILBOX] },
    password,
    closeAfterMessage: true,
  });
  gmail = await startOAuthSmtpServer({ idp, cert: certs.localhost, style: 'google', audiences: [GOOGLE_RESOURCE], password, closeAfterMessage: true });
  await allowLocalServers(exchange.port, gmail.port, idp.port);
  worker = testWorker();
});
after(async () => {
  await worker.stop(1_000);
  logs.restore();
  delete process.env.RELAYDESK_OAUTH_AUTHORITY_MICROSOFT;
  delete process.env.RELAYDESK_OAUTH_TOKEN_URL_GOOGLE;
  resetOAuthEnv();
  await Promise.all([exchange.close(), gmail.close(), idp.close()]);
});

/** A tenant applied against server, its canary delivered, then its version 1 switched to OAuth in the worker. */
async function oauthTenant(server: OAuthSmtpServer, oauth: OAuthSettings): Promise<AppliedTenant> {
  const t = await appliedTenant(server.port);
  await waitFor('the canary', async () => (await db.notification.findFirst({ where: { tenantId: t.tenant.id, canary: true, status: 'delivered' } })) ?? null);
  const transports = (worker as unknown as { transports: TenantTransports }).transports;
  const versions = (transports as unknown as { versions: Map<string, Promise<VersionConfig>> }).versions;
  const config = await transports.config(t.tenant.id, 1);
  versions.set(`${t.tenant.id}:1`, Promise.resolve({ ...config, authMethod: 'oauth2', username: oauth.mailbox, password: null, oauth }));
  transports.dropTenant(t.tenant.id);
  made.push(t);
  return t;
}

const tokenRequests = () => idp.requests.filter((p) => /token$/.test(p)).length;
const row = (id: string) => db.notification.findUniqueOrThrow({ where: { id } });
const delivered = (id: string) => async () => ((await row(id)).status === 'delivered' ? row(id) : null);
const pipelineOf = (t: AppliedTenant) => db.tenantPipeline.findUniqueOrThrow({ where: { tenantId: t.tenant.id } });

test('Microsoft 365: messages go out over XOAUTH2 with one token for the version, reused by every new connection', async () => {
  const t = await oauthTenant(exchange, microsoftSettings(idp, MAILBOX));
  const before = tokenRequests();
  const ids: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const sent = await notify(t, { subject: `oauth ${i}` });
    assert.equal(sent.status, 202, sent.text);
    ids.push(sent.body.id);
    await waitFor('delivery', delivered(sent.body.id));
  }
  for (const id of ids) assert.equal((await row(id)).attempts, 1);
  assert.equal(tokenRequests() - before, 1, 'one token for the version');
  const mine = exchange.auths.slice(-3);
  assert.ok(
    mine.every((a) => a.ok && a.user === MAILBOX),
    JSON.stringify(mine.map((a) => a.why)),
  );
  assert.equal(exchange.received.at(-1)?.user, MAILBOX);
});

test('a token expiring during a long run is renewed ahead of time, without a failed message', async () => {
  idp.ttl.seconds = 2;
  try {
    const t = await oauthTenant(exchange, microsoftSettings(idp, MAILBOX));
    const before = tokenRequests();
    const authsBefore = exchange.auths.length;
    for (let i = 0; i < 5; i += 1) {
      const sent = await notify(t, { subject: `long run ${i}` });
      const done = await waitFor('delivery', delivered(sent.body.id));
      assert.equal(done.attempts, 1);
      await new Promise((r) => setTimeout(r, 700));
    }
    assert.ok(tokenRequests() - before >= 2, `renewed (${tokenRequests() - before} token requests)`);
    const auths = exchange.auths.slice(authsBefore);
    assert.ok(auths.length >= 5 && auths.every((a) => a.ok), JSON.stringify(auths.map((a) => a.why)));
  } finally {
    idp.ttl.seconds = 3600;
  }
});

test('token endpoint down: a temporary failure, retried with backoff, delivered once it is back; the tenant is not paused', async () => {
  const t = await oauthTenant(exchange, microsoftSettings(idp, MAILBOX));
  idp.state.mode = 'down';
  let id = '';
  try {
    const sent = await notify(t, { subject: 'during the outage' });
    id = sent.body.id;
    const retrying = await waitFor('a retry', async () => {
      const r = await row(id);
      return r.status === 'retrying' ? r : null;
    });
    assert.match(retrying.lastReply ?? '', /OAUTH_ENDPOINT_UNREACHABLE/);
    assert.equal((await pipelineOf(t)).paused, false);
  } finally {
    idp.state.mode = 'up';
  }
  const done = await waitFor('delivery after the outage', delivered(id));
  assert.ok(done.attempts >= 2);
});

test('wrong client secret (invalid_client): the tenant is paused with the diagnosis and the provider code', async () => {
  const t = await oauthTenant(exchange, microsoftSettings(idp, MAILBOX, { clientSecret: 'Revoked~Secret-value-999' }));
  const sent = await notify(t, { subject: 'with a wrong secret' });
  const pipeline = await waitFor('the pause', async () => {
    const p = await pipelineOf(t);
    return p.paused ? p : null;
  });
  assert.match(pipeline.pausedReason ?? '', /OAUTH_SECRET_INVALID AADSTS7000215/);
  const r = await row(sent.body.id);
  assert.equal(r.attempts, 0, 'a pause does not count an attempt');
  assert.ok(!JSON.stringify([pipeline, r]).includes('Revoked~Secret-value-999'));
});

test('SMTP server revokes the token: renewed once, the message still goes out', async () => {
  const t = await oauthTenant(exchange, microsoftSettings(idp, MAILBOX));
  const first = await notify(t, { subject: 'before the revocation' });
  await waitFor('delivery', delivered(first.body.id));
  for (const a of exchange.auths) if (a.jti) exchange.revoked.add(a.jti);
  const before = tokenRequests();
  const authsBefore = exchange.auths.length;
  const sent = await notify(t, { subject: 'after the revocation' });
  const done = await waitFor('delivery', delivered(sent.body.id));
  assert.equal(done.attempts, 1, 'the renewal is not a failed attempt');
  assert.equal(tokenRequests() - before, 1, 'renewed exactly once');
  assert.deepEqual(
    exchange.auths.slice(authsBefore).map((a) => a.ok),
    [false, true],
  );
  assert.equal((await pipelineOf(t)).paused, false);
});

test('SMTP server refuses every token (mailbox permission removed): renewed once, then the tenant is paused with 535 5.7.3', async () => {
  const t = await oauthTenant(exchange, microsoftSettings(idp, MAILBOX));
  const first = await notify(t, { subject: 'before' });
  await waitFor('delivery', delivered(first.body.id));
  exchange.refuseAll.reply = { code: 535, message: '5.7.3 Authentication unsuccessful' };
  try {
    const before = tokenRequests();
    const authsBefore = exchange.auths.length;
    await notify(t, { subject: 'refused' });
    const pipeline = await waitFor('the pause', async () => {
      const p = await pipelineOf(t);
      return p.paused ? p : null;
    });
    assert.match(pipeline.pausedReason ?? '', /535 5\.7\.3/);
    assert.equal(tokenRequests() - before, 1, 'renewed exactly once before giving up');
    assert.equal(exchange.auths.length - authsBefore, 2);
  } finally {
    exchange.refuseAll.reply = null;
  }
});

test('Google: a revoked token is refused with the 334 challenge; nodemailer renews once and the message goes out', async () => {
  const t = await oauthTenant(gmail, googleSettings(idp, MAILBOX));
  const first = await notify(t, { subject: 'gmail first' });
  await waitFor('delivery', delivered(first.body.id));
  assert.equal(gmail.received.at(-1)?.user, MAILBOX);
  for (const a of gmail.auths) if (a.jti) gmail.revoked.add(a.jti);
  const before = tokenRequests();
  const sent = await notify(t, { subject: 'gmail after revocation' });
  const done = await waitFor('delivery', delivered(sent.body.id));
  assert.equal(done.attempts, 1);
  assert.equal(tokenRequests() - before, 1, 'renewed exactly once');
});

test('no secret, assertion or access token in deliveries, rows, audit events or logs', async () => {
  const tokens = [...exchange.auths, ...gmail.auths].map((a) => a.token).filter(Boolean);
  assert.ok(tokens.length > 5);
  const secrets = [MS_SECRET, GENERIC_SECRET, JSON.parse(idp.serviceAccountKey).private_key.split('\n')[1], ...tokens];
  const notifications = await db.notification.findMany({});
  const events = await db.auditEvent.findMany({});
  const pipelines = await db.tenantPipeline.findMany({});
  const deliveries = [];
  for (const t of made) {
    const log = await papi('GET', `/api/v1/tenants/${t.slug}/deliveries`, { token: t.member.token });
    assert.equal(log.status, 200, log.text);
    deliveries.push(log.body);
  }
  const haystack = JSON.stringify([notifications, events, pipelines, deliveries]) + logs.text();
  for (const secret of secrets) {
    assert.ok(!haystack.includes(secret), `leaked: ${secret.slice(0, 10)}…`);
    assert.ok(!haystack.includes(Buffer.from(secret).toString('base64').slice(0, 32)), 'leaked in base64');
  }
});
