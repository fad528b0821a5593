import '../helpers/test-env';
// Events the system causes (no person acts): a canary that fails and rolls the tenant back, a storm of
// failed sign-ins, a health check that finds new problems (said once, not at every check).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db, makeUser } from '../helpers/factories';
import { allowLocalServers, appliedTenant, papi, startSink, testedRequest, testWorker, waitFor, type Sink } from '../pipeline/helpers';
import { mailsOf, startOwnMailServer } from '../helpers/own-mail-server';
import type { PipelineWorker } from '@/server/pipeline/worker';
import { checkCredentials, DISTRIBUTED_ALERT_FAILURES } from '@/server/auth/sign-in';
import { recordEvent, SYSTEM_ACTOR } from '@/server/audit/record-event';

let own: Sink;
let tenantServer: Sink;
let worker: PipelineWorker;

before(async () => {
  own = await startOwnMailServer();
  tenantServer = await startSink();
  await allowLocalServers(tenantServer.port);
  worker = testWorker();
});
after(async () => {
  await worker.stop(500);
  await own.close();
  await tenantServer.close();
});

const settled = () => waitFor('own mail sent', async () => (await db.ownMail.count({ where: { status: { in: ['queued', 'retrying'] } } })) === 0, 20_000);
const received = (email: string, kind: string) => mailsOf(own).filter((m) => m.to === email && m.kind === kind);

test('a failing canary: the tenant TAM hears of the failure, the customer admins of the automatic rollback', { timeout: 120_000 }, async () => {
  const t = await appliedTenant(tenantServer.port);
  await waitFor('canary of version 1 delivered', async () => (await db.notification.count({ where: { tenantId: t.tenant.id, canary: true, status: 'delivered' } })) === 1, 20_000);
  const second = await testedRequest(tenantServer.port, { noReplyName: 'Second Try' }, t);
  // From now on the tenant's server refuses every message: the canary of version 2 fails for good.
  tenantServer.behaviour.data = () => ({ code: 550, message: '5.7.1 Message rejected' });
  try {
    assert.equal((await papi('POST', `/api/v1/smtp-requests/${second.requestId}/apply`, { token: t.tam.token })).status, 201);
    await waitFor('auto-rollback', async () => (await db.auditEvent.count({ where: { tenantId: t.tenant.id, action: 'config.auto_rolled_back' } })) === 1, 30_000);
  } finally {
    tenantServer.behaviour.data = undefined;
  }
  await settled();
  assert.equal(received(t.tam.email, 'config.canary_failed').length, 1);
  assert.match(received(t.tam.email, 'config.canary_failed')[0]!.text, /version 2/);
  assert.equal(received(t.admin.email, 'config.auto_rolled_back').length, 1);
  assert.match(received(t.admin.email, 'config.auto_rolled_back')[0]!.subject, /Version 2 failed and was rolled back/);
  assert.equal(received(t.admin.email, 'config.canary_failed').length, 0, 'the customer hears the outcome, not the TAM’s alarm');
  assert.equal(received(t.member.email, 'config.auto_rolled_back').length, 0);
});

test('a failed-sign-in storm on one account reaches the admins, once', { timeout: 60_000 }, async () => {
  const admin = await makeUser('admin');
  const victim = await makeUser('auditor');
  for (let i = 0; i < DISTRIBUTED_ALERT_FAILURES; i++) await checkCredentials(victim.email, 'wrong-password', { ip: `198.18.7.${i + 1}`, userAgent: 'storm', requestId: null });
  await settled();
  const mails = received(admin.email, 'auth.sign_in_storm');
  assert.equal(mails.length, 1);
  assert.ok(mails[0]!.subject.includes(victim.email));
  assert.equal(received(victim.email, 'auth.sign_in_storm').length, 0);
});

test('new health problems are told to the tenant TAM and customer admins; a check with nothing new says nothing', { timeout: 60_000 }, async () => {
  const t = await appliedTenant(tenantServer.port);
  // What check-tenant-health.ts records when a check finds problems the previous one did not have.
  const changed = (added: string[]) =>
    db.$transaction((tx) =>
      recordEvent(
        tx,
        { ...SYSTEM_ACTOR, label: 'health check' },
        { action: 'health.changed', tenantId: t.tenant.id, targetType: 'tenant', targetId: t.tenant.id, after: { healthy: false, added, resolved: [] } },
      ),
    );
  await changed(['cert.expires_soon', 'smtp.auth']);
  await changed([]);
  await settled();
  for (const who of [t.tam, t.admin]) {
    const mails = received(who.email, 'health.changed');
    assert.equal(mails.length, 1, `${who.email} is told once`);
    assert.match(mails[0]!.text, /Certificate about to expire, Authentication failing/);
  }
  assert.equal(await db.inAppNotice.count({ where: { userId: t.tam.id, kind: 'health.changed' } }), 1);
});
