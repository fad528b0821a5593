// "Deliveries failing" in the daily health check (issue 15, decision 026): notifications refused for good
// by the customer's server through the real pipeline make the check report the problem once it reaches
// the threshold (at least 3 dead letters and 20 % of what ended in the last 24 hours), once (one audit
// event), on the Health page and the tenant's history; the problem ends when the window moves past them.
import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db } from '../helpers/factories';
import type { PipelineWorker } from '@/server/pipeline/worker';
import { checkTenantHealth } from '@/server/health/check-tenant-health';
import { deliveriesFailingProblem, DELIVERIES_FAILING_KEY } from '@/server/health/deliveries-failing';
import { listTenantHealthChecks, listTenantsByRisk } from '@/server/health/list-health';
import { resetProbeBudgets } from '@/server/probes/rate-limit';
import { startTestDns, type TestDns } from '../helpers/dns-zone';
import { allowLocalServers, appliedTenant, notify, startSink, testWorker, waitFor, type Sink } from './helpers';

let sink: Sink;
let worker: PipelineWorker;
let dns: TestDns;

before(async () => {
  sink = await startSink();
  await allowLocalServers(sink.port);
  worker = testWorker();
  const domain = 'deliveries.test';
  dns = await startTestDns({
    [domain]: { TXT: ['v=spf1 ip4:127.0.0.1 ip6:::1 -all'], MX: [{ exchange: `mx.${domain}`, priority: 10 }] },
    [`_dmarc.${domain}`]: { TXT: ['v=DMARC1; p=none'] },
    [`default._domainkey.${domain}`]: { TXT: ['v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC'] },
  });
});
after(async () => {
  await worker.stop(1_000);
  await Promise.all([sink.close(), dns.close()]);
});

test('the threshold: at least 3 dead letters and at least 20 % of the notifications that ended', () => {
  assert.equal(deliveriesFailingProblem({ dead: 2, delivered: 0 }), null, 'two dead letters are not yet a pattern');
  assert.equal(deliveriesFailingProblem({ dead: 3, delivered: 13 }), null, '3 of 16 (19 %) is noise on a busy day');
  const problem = deliveriesFailingProblem({ dead: 3, delivered: 12 });
  assert.deepEqual(problem, { key: DELIVERIES_FAILING_KEY, severity: 'fail', detail: '3 of 15 notifications (20 %) failed permanently in the last 24 hours' });
  assert.equal(deliveriesFailingProblem({ dead: 0, delivered: 0 }), null);
});

async function check(tenantId: string, now?: Date) {
  await resetProbeBudgets();
  const outcome = await checkTenantHealth(tenantId, now ? { now } : {});
  assert.ok(outcome);
  return outcome;
}

test('dead letters through the pipeline: the check says so once, the Health page and the history show it, and it ends with the window', async () => {
  const t = await appliedTenant(sink.port, { noReplyAddress: 'noreply@deliveries.test' });
  await waitFor('canary delivered', async () => (await db.notification.findFirst({ where: { tenantId: t.tenant.id, canary: true, status: 'delivered' } })) ?? null);
  const first = await check(t.tenant.id);
  assert.deepEqual(first.problems, [], 'a healthy tenant: its canary was delivered');

  // The customer's server now refuses one mailbox for good: each notification to it is a dead letter.
  sink.behaviour.rcpt = (address) => (address === 'gone@customer.test' ? { code: 550, message: '5.1.1 <gone@customer.test>: User unknown' } : undefined);
  const deadLetter = async (subject: string) => {
    const sent = await notify(t, { to: ['gone@customer.test'], subject });
    assert.equal(sent.status, 202, sent.text);
    const { id } = sent.body as { id: string };
    await waitFor(`${subject} dead`, async () => (await db.notification.findUnique({ where: { id } }))?.status === 'dead');
  };
  try {
    await deadLetter('Dead 1');
    await deadLetter('Dead 2');
    const two = await check(t.tenant.id);
    assert.deepEqual(two.problems, [], 'two of three ended: under the threshold');
    await deadLetter('Dead 3');
  } finally {
    sink.behaviour.rcpt = undefined;
  }
  const failing = await check(t.tenant.id);
  assert.equal(failing.healthy, false);
  assert.deepEqual(
    failing.problems.map((p) => p.key),
    [DELIVERIES_FAILING_KEY],
  );
  assert.equal(failing.problems[0]!.detail, '3 of 4 notifications (75 %) failed permanently in the last 24 hours');
  assert.deepEqual(
    failing.transition?.added.map((p) => p.key),
    [DELIVERIES_FAILING_KEY],
  );
  assert.equal((await check(t.tenant.id)).transition, null, 'said once, not at every check');
  const events = await db.auditEvent.findMany({ where: { tenantId: t.tenant.id, action: 'health.changed' } });
  assert.equal(events.length, 1);
  assert.match(events[0]!.after ?? '', /deliveries\.failing/);

  const risk = (await listTenantsByRisk(t.tam)).find((x) => x.slug === t.tenant.slug);
  assert.deepEqual(
    risk?.latest?.problems.map((p) => p.key),
    [DELIVERIES_FAILING_KEY],
  );
  assert.equal(risk?.latest?.healthy, false);
  assert.deepEqual(
    (await listTenantHealthChecks(t.admin, t.tenant.slug))[0]!.problems.map((p) => p.key),
    [DELIVERIES_FAILING_KEY],
  );

  // A day later the dead letters are out of the window: resolved, said once.
  const later = new Date(Date.now() + 25 * 3_600_000);
  const resolved = await check(t.tenant.id, later);
  assert.deepEqual(resolved.problems, []);
  assert.deepEqual(
    resolved.transition?.resolved.map((p) => p.key),
    [DELIVERIES_FAILING_KEY],
  );
  assert.equal(await db.auditEvent.count({ where: { tenantId: t.tenant.id, action: 'health.changed' } }), 2);
});
