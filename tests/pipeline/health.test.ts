import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { generate } from 'selfsigned';
import { db, makeTenant, makeUser } from '../helpers/factories';
import { assignTam } from '@/server/admin/manage-tenants';
import { SYSTEM_ACTOR } from '@/server/audit/record-event';
import { listTenantHealthChecks, listTenantsByRisk } from '@/server/health/list-health';
import { startTestDns, type TestDns } from '../helpers/dns-zone';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-test-server';
import { allowLocalServers, appliedTenant, SMTP_PASSWORD, SMTP_USER, startSink, type Sink } from './helpers';
import { checkTenantHealth } from '@/server/health/check-tenant-health';
import { isDue, offsetOf, runDueHealthChecks, takeHealthLease } from '@/server/health/run-health-checks';
import { resetProbeBudgets } from '@/server/probes/rate-limit';
import { resetProbeSettings } from '@/server/probes/probe-settings';

// The daily health check (issue 15): a certificate near expiry, credentials changed on the server and a
// DNS record removed each give one audit event; the next check, finding the same, says nothing.

let sink: Sink;
let expiring: TestSmtpServer;
let dns: TestDns;

const greenDomain = (domain: string) => ({
  [domain]: { TXT: ['v=spf1 ip4:127.0.0.1 ip6:::1 -all'], MX: [{ exchange: `mx.${domain}`, priority: 10 }] },
  [`_dmarc.${domain}`]: { TXT: ['v=DMARC1; p=none'] },
  [`default._domainkey.${domain}`]: { TXT: ['v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC'] },
});

before(async () => {
  // A server whose certificate (from its own CA, trusted like the others) is valid for 5 more days.
  const ca = await generate([{ name: 'commonName', value: 'Health Test CA' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
  const leaf = await generate([{ name: 'commonName', value: 'localhost' }], {
    keyType: 'ec',
    algorithm: 'sha256',
    ca: { key: ca.private, cert: ca.cert },
    notBeforeDate: new Date(Date.now() - 86_400_000),
    notAfterDate: new Date(Date.now() + 5 * 86_400_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }] },
    ],
  });
  sink = await startSink();
  expiring = await startSmtpServer({ cert: { key: leaf.private, cert: leaf.cert }, user: { username: SMTP_USER, password: SMTP_PASSWORD } });
  const { caFile } = await allowLocalServers(sink.port, expiring.port);
  appendFileSync(caFile, `\n${ca.cert}`);
  resetProbeSettings();
  dns = await startTestDns({ ...greenDomain('health.test'), ...greenDomain('gone.test'), ...greenDomain('soon.test') });
});
after(async () => {
  await Promise.all([sink.close(), expiring.close(), dns.close()]);
});

async function healthEvents(tenantId: string) {
  return db.auditEvent.findMany({ where: { tenantId, action: 'health.changed' }, orderBy: { seq: 'asc' } });
}

async function check(tenantId: string) {
  await resetProbeBudgets();
  const outcome = await checkTenantHealth(tenantId);
  assert.ok(outcome, 'the tenant has an active configuration');
  return outcome;
}

test('a certificate valid for 5 more days is a failure, audited once', async () => {
  const t = await appliedTenant(expiring.port, { noReplyAddress: 'noreply@soon.test' });
  const first = await check(t.tenant.id);
  assert.equal(first.healthy, false);
  assert.deepEqual(
    first.problems.map((p) => p.key),
    ['cert.expires_soon'],
  );
  assert.match(first.problems[0]!.detail, /expires in [45] days/);
  assert.deepEqual(
    first.transition?.added.map((p) => p.key),
    ['cert.expires_soon'],
  );
  const second = await check(t.tenant.id);
  assert.equal(second.transition, null, 'said once, not every day');
  const events = await healthEvents(t.tenant.id);
  assert.equal(events.length, 1);
  assert.match(events[0]!.after ?? '', /cert\.expires_soon/);
  assert.equal(await db.healthCheck.count({ where: { tenantId: t.tenant.id } }), 2);
});

test('credentials changed on the server: one event, then nothing new; the password is nowhere', async () => {
  const t = await appliedTenant(sink.port, { noReplyAddress: 'noreply@health.test' });
  const healthy = await check(t.tenant.id);
  assert.deepEqual(healthy.problems, []);
  assert.equal(healthy.transition, null, 'a healthy first check is no news');
  sink.behaviour.auth = () => ({ code: 535, message: '5.7.8 Authentication credentials invalid' });
  try {
    const broken = await check(t.tenant.id);
    assert.equal(broken.healthy, false);
    assert.deepEqual(
      broken.transition?.added.map((p) => p.key),
      ['smtp.auth'],
    );
    assert.equal((await check(t.tenant.id)).transition, null);
  } finally {
    delete sink.behaviour.auth;
  }
  assert.equal((await healthEvents(t.tenant.id)).length, 1);
  const rows = await db.healthCheck.findMany({ where: { tenantId: t.tenant.id } });
  assert.ok(!JSON.stringify(rows).includes(SMTP_PASSWORD) && !JSON.stringify(await healthEvents(t.tenant.id)).includes(SMTP_PASSWORD));
});

test('a DNS record removed: one event, then nothing new', async () => {
  const t = await appliedTenant(sink.port, { noReplyAddress: 'noreply@gone.test' });
  assert.deepEqual((await check(t.tenant.id)).problems, []);
  dns.set('_dmarc.gone.test', undefined);
  const gone = await check(t.tenant.id);
  assert.deepEqual(
    gone.transition?.added.map((p) => p.key),
    ['domain.dmarc.DMARC_MISSING'],
  );
  assert.equal((await check(t.tenant.id)).transition, null);
  assert.equal((await healthEvents(t.tenant.id)).length, 1);
});

test('one worker of a fleet runs the checks; each tenant at its own offset, once per interval', async () => {
  const interval = 24 * 3_600_000;
  const now = new Date();
  const first = await runDueHealthChecks({ holder: 'worker-a', now, intervalMs: interval, limit: 0 });
  const second = await runDueHealthChecks({ holder: 'worker-b', now, intervalMs: interval, limit: 50 });
  assert.equal(first.checked, 0);
  assert.equal(second.checked + second.skipped, 0, 'worker-b does not hold the lease');
  assert.equal((await db.healthLease.findUniqueOrThrow({ where: { name: 'health-checks' } })).holder, 'worker-a');
  assert.equal(await takeHealthLease('worker-b', 60_000, now), false);
  assert.equal(await takeHealthLease('worker-a', 60_000, now), true, 'the holder renews');
  // worker-a died: its lease lapses and worker-b takes over.
  assert.equal(await takeHealthLease('worker-b', 60_000, new Date(now.getTime() + 10 * 60_000)), true);
  assert.equal((await db.healthLease.findUniqueOrThrow({ where: { name: 'health-checks' } })).holder, 'worker-b');
  assert.ok(offsetOf('tenant-1', interval) !== offsetOf('tenant-2', interval));
  const offset = offsetOf('tenant-1', interval);
  const slot = new Date(Math.floor((now.getTime() - offset) / interval) * interval + offset);
  assert.equal(isDue('tenant-1', new Date(slot.getTime() - 1), interval, now), true);
  assert.equal(isDue('tenant-1', new Date(slot.getTime() + 1), interval, now), false);
  assert.equal(isDue('tenant-1', null, interval, now), true);
});

test("the Health page lists a TAM's tenants riskiest first; a tenant's history is scoped like its page", async () => {
  const t = await appliedTenant(sink.port, { noReplyAddress: 'noreply@health.test' });
  await check(t.tenant.id);
  const risky = await makeTenant();
  await assignTam(SYSTEM_ACTOR, t.tam.email, risky.slug);
  await db.healthCheck.create({
    data: {
      id: `hc-${risky.id}`,
      tenantId: risky.id,
      configVersion: 1,
      checkedAt: new Date(),
      healthy: false,
      problems: JSON.stringify([{ key: 'smtp.auth', severity: 'fail', detail: 'auth failed' }]),
      steps: '[]',
      certExpiresAt: null,
      durationMs: 1,
    },
  });
  const list = await listTenantsByRisk(t.tam);
  assert.deepEqual(
    list.map((x) => x.slug),
    [risky.slug, t.tenant.slug],
  );
  assert.equal(list[0]!.latest?.healthy, false);
  await assert.rejects(listTenantsByRisk(t.admin), { code: 'FORBIDDEN' });
  assert.equal((await listTenantHealthChecks(t.admin, t.tenant.slug)).length, 1);
  await assert.rejects(listTenantHealthChecks(await makeUser('customer-admin', risky.slug), t.tenant.slug), { code: 'NOT_FOUND' });
});
