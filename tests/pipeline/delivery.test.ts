import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db, makeUser } from '../helpers/factories';
import type { PipelineWorker } from '@/server/pipeline/worker';
import { allowLocalServers, appliedTenant, notify, papi, startSink, startSwitchableProxy, testedRequest, testWorker, waitFor, type Proxy, type Sink } from './helpers';

let sink: Sink;
let proxy: Proxy;
let authProxy: Proxy;
let worker: PipelineWorker;

before(async () => {
  sink = await startSink();
  proxy = await startSwitchableProxy(sink.port);
  authProxy = await startSwitchableProxy(sink.port);
  await allowLocalServers(sink.port, proxy.port, authProxy.port);
  worker = testWorker();
});
after(async () => {
  await worker.stop(1_000);
  await proxy.close();
  await authProxy.close();
  await sink.close();
});

const delivered = (id: string) => async () => {
  const row = await db.notification.findUnique({ where: { id } });
  return row?.status === 'delivered' ? row : null;
};
const subjectMarker = (raw: string, marker: string) => raw.includes(`Subject: ${marker}`);

test('a notification arrives with the no-reply headers, the real recipients only in the envelope, its Message-ID, thread headers and the support footer', async () => {
  const t = await appliedTenant(sink.port);
  const first = await notify(t, {
    to: ['alice@customer.test', 'bob@customer.test'],
    subject: 'Review requested',
    text: 'Please review #7',
    html: '<p>Please review <b>#7</b></p>',
    kind: 'review_requested',
    threadId: 'pr-7',
  });
  const second = await notify(t, { to: ['alice@customer.test'], subject: 'Re: Review requested', text: 'Approved', kind: 'pull_request_review', threadId: 'pr-7' });
  assert.equal(first.status, 202, first.text);
  await waitFor('delivery', delivered(first.body.id));
  await waitFor('delivery', delivered(second.body.id));
  const mail = sink.received.find((m) => m.messageId === first.body.messageId)!;
  assert.ok(mail, 'received with the Message-ID given at enqueue');
  assert.equal(mail.mailFrom, 'noreply@acme.test');
  assert.deepEqual(mail.rcptTo, ['alice@customer.test', 'bob@customer.test']);
  assert.match(mail.raw, /^From: Acme Notifications <noreply@acme\.test>\r?$/m);
  assert.match(mail.raw, /^To: noreply@acme\.test\r?$/m);
  assert.ok(!/alice@customer\.test|bob@customer\.test/.test(mail.raw), 'no real recipient in the headers or body');
  assert.match(mail.raw, /^Auto-Submitted: auto-generated\r?$/m);
  const inReplyTo = /^In-Reply-To: (<thread-[0-9a-f]+@acme\.test>)\r?$/m.exec(mail.raw)?.[1];
  assert.ok(inReplyTo, mail.raw.slice(0, 800));
  assert.match(mail.raw, new RegExp(`^References: ${inReplyTo}\\r?$`, 'm'));
  const reply = sink.received.find((m) => m.messageId === second.body.messageId)!;
  assert.ok(reply.raw.includes(`In-Reply-To: ${inReplyTo}`), 'the same thread id threads both');
  assert.ok(mail.raw.includes('https://support.acme.test/help'), 'support footer');
  assert.match(mail.raw, /Content-Type: text\/html/);
  const log = await papi('GET', `/api/v1/tenants/${t.slug}/deliveries?status=delivered`, { token: t.member.token });
  assert.equal(log.status, 200, log.text);
  const entry = log.body.items.find((i: { id: string }) => i.id === first.body.id);
  assert.equal(entry.attempts, 1);
  assert.match(entry.lastReply, /^250/);
  assert.equal(entry.configVersion, 1);

  // A new version is used from the next message on, without restarting the worker.
  const v2 = await testedRequest(sink.port, { noReplyName: 'Acme Robot' }, t);
  assert.equal((await papi('POST', `/api/v1/smtp-requests/${v2.requestId}/apply`, { token: t.tam.token })).status, 201);
  const third = await notify(t, { subject: 'After apply' });
  await waitFor('delivery', delivered(third.body.id));
  assert.match(sink.received.find((m) => m.messageId === third.body.messageId)!.raw, /^From: Acme Robot <noreply@acme\.test>\r?$/m);
});

test('451 is retried with backoff and then delivered, with the same Message-ID', async () => {
  const t = await appliedTenant(sink.port);
  let refusals = 0;
  sink.behaviour.data = (raw) => (subjectMarker(raw, 'Flaky') && refusals++ < 2 ? { code: 451, message: '4.3.0 Try again later' } : undefined);
  try {
    const res = await notify(t, { subject: 'Flaky' });
    const row = await waitFor('delivery after retries', delivered(res.body.id));
    assert.equal(row.attempts, 3);
    assert.equal(refusals, 3);
    assert.equal(sink.received.filter((m) => m.messageId === res.body.messageId).length, 1);
  } finally {
    sink.behaviour.data = undefined;
  }
});

test('550 makes a dead letter with the server’s reply; the TAM retries it and it is delivered', async () => {
  const t = await appliedTenant(sink.port);
  sink.behaviour.data = (raw) => (subjectMarker(raw, 'Rejected') ? { code: 550, message: '5.7.1 Message refused by policy' } : undefined);
  let id: string;
  try {
    const res = await notify(t, { subject: 'Rejected' });
    id = res.body.id;
    const row = await waitFor('dead letter', async () => {
      const r = await db.notification.findUnique({ where: { id } });
      return r?.status === 'dead' ? r : null;
    });
    assert.equal(row.attempts, 1, 'a permanent failure is not retried');
    assert.match(row.lastReply ?? '', /550 5\.7\.1 Message refused by policy/);
    const log = await papi('GET', `/api/v1/tenants/${t.slug}/deliveries?status=dead`, { token: t.admin.token });
    assert.match(log.body.items[0].lastReply, /550/);
    const health = await papi('GET', `/api/v1/tenants/${t.slug}/pipeline`, { token: t.admin.token });
    assert.equal(health.body.dead, 1);
    assert.match(health.body.lastError.reply, /550/);
    assert.equal(health.body.buckets.length, 24);
    assert.equal(health.body.buckets.at(-1).dead, 1);
  } finally {
    sink.behaviour.data = undefined;
  }
  assert.equal((await papi('POST', `/api/v1/tenants/${t.slug}/deliveries/${id}/retry`, { token: t.admin.token })).status, 403, 'customers do not retry');
  const retried = await papi('POST', `/api/v1/tenants/${t.slug}/deliveries/${id}/retry`, { token: t.tam.token });
  assert.equal(retried.status, 200, retried.text);
  await waitFor('delivery after the retry', delivered(id));
  assert.equal(await db.auditEvent.count({ where: { tenantId: t.tenant.id, action: 'delivery.retried' } }), 1);
});

test('535 pauses the tenant without burning retries; it resumes when a new version is applied, or when the TAM resumes it', async () => {
  const t = await appliedTenant(authProxy.port);
  await waitFor('canary delivered', async () => (await db.notification.findFirst({ where: { tenantId: t.tenant.id, canary: true, status: 'delivered' } })) ?? null);
  // The password stops working; the server drops its sessions, so the pool must log in again.
  sink.behaviour.auth = () => ({ code: 535, message: '5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant' });
  authProxy.drop();
  try {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await notify(t, { subject: `Paused ${i}` })).body.id);
    await waitFor('pause', async () => (await db.tenantPipeline.findUnique({ where: { tenantId: t.tenant.id } }))?.paused === true);
    // Sends in flight when the pause came hand their lease back as they finish: wait for that, not a fixed time.
    const rows = await waitFor('leases released', async () => {
      const found = await db.notification.findMany({ where: { id: { in: ids } } });
      return found.every((r) => r.leaseOwner === null) ? found : null;
    }).catch(async () => db.notification.findMany({ where: { id: { in: ids } } }));
    assert.ok(
      rows.every((r) => r.status === 'queued' && r.attempts === 0 && r.leaseOwner === null),
      JSON.stringify(rows.map((r) => [r.status, r.attempts, r.leaseOwner, r.lastReply])),
    );
    const pipeline = await db.tenantPipeline.findUniqueOrThrow({ where: { tenantId: t.tenant.id } });
    assert.match(pipeline.pausedReason ?? '', /535 5\.7\.139/);
    assert.equal(await db.auditEvent.count({ where: { tenantId: t.tenant.id, action: 'pipeline.paused' } }), 1);
    const health = await papi('GET', `/api/v1/tenants/${t.slug}/pipeline`, { token: t.member.token });
    assert.equal(health.body.paused, true);
    assert.match(health.body.pausedReason, /535/);

    // A TAM resumes while the password is still wrong: it pauses again, still without spending attempts.
    const resumed = await papi('PATCH', `/api/v1/tenants/${t.slug}/pipeline`, { token: t.tam.token, body: { paused: false } });
    assert.equal(resumed.status, 200, resumed.text);
    await waitFor('pause again', async () => (await db.auditEvent.count({ where: { tenantId: t.tenant.id, action: 'pipeline.paused' } })) === 2);
    assert.ok((await db.notification.findMany({ where: { id: { in: ids } } })).every((r) => r.attempts === 0));

    // The server is fixed and a new version is applied: the apply unpauses, everything goes out.
    sink.behaviour.auth = undefined;
    const next = await testedRequest(authProxy.port, { noReplyName: 'Acme Fixed' }, t);
    assert.equal((await papi('POST', `/api/v1/smtp-requests/${next.requestId}/apply`, { token: t.tam.token })).status, 201);
    for (const id of ids) await waitFor('delivery after the new version', delivered(id));
    const after = await db.notification.findMany({ where: { id: { in: ids } } });
    // One attempt each: the failed logins spent none. (A send already in flight may finish on version 1.)
    assert.ok(
      after.every((r) => r.attempts === 1),
      JSON.stringify(after.map((r) => [r.attempts, r.configVersion, r.lastReply])),
    );
  } finally {
    sink.behaviour.auth = undefined;
  }
});

test('a tenant whose server hangs does not delay another tenant', async () => {
  const slow = await appliedTenant(proxy.port);
  const fast = await appliedTenant(sink.port);
  await waitFor(
    'canaries delivered',
    async () => (await db.notification.count({ where: { tenantId: { in: [slow.tenant.id, fast.tenant.id] }, canary: true, status: 'delivered' } })) === 2,
  );
  // This test's own worker waits long for a greeting, so the order below cannot come from a timeout.
  await worker.stop(1_000);
  const patient = testWorker({ timeouts: { connectionMs: 2_000, greetingMs: 5_000, socketMs: 5_000 } });
  proxy.mode = 'silent';
  proxy.drop();
  try {
    const slowIds: string[] = [];
    for (let i = 0; i < 6; i++) slowIds.push((await notify(slow, { subject: `Slow ${i}` })).body.id);
    const fastIds: string[] = [];
    for (let i = 0; i < 6; i++) fastIds.push((await notify(fast, { subject: `Fast ${i}` })).body.id);
    for (const id of fastIds) await waitFor('fast tenant delivered', delivered(id));
    // Every message of the fast tenant went out while the hung tenant had not finished a single attempt.
    const slowRows = await db.notification.findMany({ where: { id: { in: slowIds } } });
    assert.ok(
      slowRows.every((r) => r.status === 'queued' && r.attempts === 0),
      JSON.stringify(slowRows.map((r) => [r.status, r.attempts, r.lastReply])),
    );
    assert.ok(proxy.connections() > 0, 'the hung tenant was being tried meanwhile');
    // The hung tenant's messages then time out and are retried, not lost.
    await waitFor('slow tenant retrying', async () => (await db.notification.count({ where: { id: { in: slowIds }, status: 'retrying' } })) > 0, 20_000);
    const retrying = await db.notification.findFirstOrThrow({ where: { id: { in: slowIds }, status: 'retrying' } });
    assert.match(retrying.lastReply ?? '', /ETIMEDOUT|Greeting never received|timeout/i);
  } finally {
    await papi('PATCH', `/api/v1/tenants/${slow.slug}/pipeline`, { token: slow.tam.token, body: { paused: true, reason: 'test over' } });
    proxy.mode = 'forward';
    await patient.stop(100);
    worker = testWorker();
  }
});

test('a notification older than the maximum lifetime becomes a dead letter on its next temporary failure', async () => {
  const t = await appliedTenant(sink.port);
  sink.behaviour.data = (raw) => (subjectMarker(raw, 'Ancient') ? { code: 421, message: '4.7.0 Too busy' } : undefined);
  try {
    const res = await notify(t, { subject: 'Ancient' });
    await db.notification.update({ where: { id: res.body.id }, data: { createdAt: new Date(Date.now() - 6 * 24 * 3_600_000) } });
    const row = await waitFor('dead by age', async () => {
      const r = await db.notification.findUnique({ where: { id: res.body.id } });
      return r?.status === 'dead' ? r : null;
    });
    assert.match(row.lastReply ?? '', /maximum lifetime.*421/);
  } finally {
    sink.behaviour.data = undefined;
  }
});

test('a canary that fails for good rolls the tenant back to the version before, by itself, and says why', async () => {
  const t = await appliedTenant(sink.port);
  await waitFor('first canary delivered', async () => (await db.notification.findFirst({ where: { tenantId: t.tenant.id, canary: true, status: 'delivered' } })) ?? null);
  const next = await testedRequest(sink.port, { noReplyName: 'Acme Broken' }, t);
  sink.behaviour.data = (raw) => (raw.includes('X-Relaydesk-Canary: version 2') ? { code: 554, message: '5.7.1 Sender address rejected: not owned by user' } : undefined);
  try {
    assert.equal((await papi('POST', `/api/v1/smtp-requests/${next.requestId}/apply`, { token: t.tam.token })).status, 201);
    await waitFor('auto-rollback', async () => (await db.tenantPipeline.findUnique({ where: { tenantId: t.tenant.id } }))?.activeVersion === 3);
  } finally {
    sink.behaviour.data = undefined;
  }
  const config = await papi('GET', `/api/v1/tenants/${t.slug}/smtp-config`, { token: (await makeUser('auditor')).token });
  assert.equal(config.body.active.version, 3);
  assert.equal(config.body.active.source, 'auto-rollback');
  assert.equal(config.body.active.copiedFrom, 1);
  assert.equal(config.body.active.noReplyName, 'Acme Notifications');
  const v2 = config.body.versions.find((v: { version: number }) => v.version === 2);
  assert.equal(v2.canary.status, 'dead');
  assert.match(v2.canary.lastReply, /554 5\.7\.1/);
  const event = await db.auditEvent.findFirstOrThrow({ where: { tenantId: t.tenant.id, action: 'config.auto_rolled_back' } });
  assert.match(event.after ?? '', /canary of version 2 failed: 554/);
});
