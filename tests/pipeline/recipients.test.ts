import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db } from '../helpers/factories';
import { DeliveryListView } from '@/server/pipeline/list-deliveries';
import type { PipelineWorker } from '@/server/pipeline/worker';
import { allowLocalServers, appliedTenant, notify, papi, startSink, testWorker, waitFor, type Sink } from './helpers';

let sink: Sink;
let worker: PipelineWorker;

before(async () => {
  sink = await startSink();
  await allowLocalServers(sink.port);
  worker = testWorker();
});
after(async () => {
  await worker.stop(1_000);
  await sink.close();
});

async function readyTenant() {
  const t = await appliedTenant(sink.port);
  await waitFor('canary delivered', async () => (await db.notification.findFirst({ where: { tenantId: t.tenant.id, canary: true, status: 'delivered' } })) ?? null);
  return t;
}

type Item = { id: string; status: string; recipientStates: Array<{ address: string; state: string; reply: string | null }> };
async function logEntry(t: { slug: string; member: { token: string } }, id: string): Promise<Item> {
  const log = await papi('GET', `/api/v1/tenants/${t.slug}/deliveries`, { token: t.member.token });
  assert.equal(log.status, 200, log.text);
  DeliveryListView.parse(log.body);
  return log.body.items.find((i: Item) => i.id === id);
}
const stateOf = (item: Item, address: string) => item.recipientStates.find((r) => r.address === address)!;

test('accepted recipients are done, a 451 one is retried alone with the same Message-ID, a 550 one is a dead letter with its reply', async () => {
  const t = await readyTenant();
  let greylisted = 0;
  sink.behaviour.rcpt = (address) => {
    if (address === 'grey@customer.test' && greylisted++ === 0)
      return { code: 451, message: '4.7.1 <grey@customer.test>: Recipient address rejected: Greylisted, try again later' };
    if (address === 'gone@customer.test') return { code: 550, message: '5.1.1 <gone@customer.test>: Recipient address rejected: User unknown in local recipient table' };
    return undefined;
  };
  try {
    const res = await notify(t, { to: ['ok@customer.test', 'grey@customer.test', 'gone@customer.test'], subject: 'Mixed' });
    assert.equal(res.status, 202, res.text);
    const { id, messageId } = res.body as { id: string; messageId: string };
    const row = await waitFor('settled', async () => {
      const r = await db.notification.findUnique({ where: { id } });
      return r?.status === 'dead' ? r : null;
    });
    assert.equal(row.attempts, 2, 'one first attempt, one retry of the greylisted recipient');
    const copies = sink.received.filter((m) => m.messageId === messageId);
    assert.deepEqual(
      copies.map((m) => m.rcptTo),
      [['ok@customer.test'], ['grey@customer.test']],
      'the retry went to the greylisted recipient only, with the same Message-ID',
    );
    const item = await logEntry(t, id);
    assert.equal(item.status, 'dead');
    assert.equal(stateOf(item, 'ok@customer.test').state, 'delivered');
    assert.match(stateOf(item, 'ok@customer.test').reply ?? '', /^250/);
    assert.equal(stateOf(item, 'grey@customer.test').state, 'delivered');
    assert.equal(stateOf(item, 'gone@customer.test').state, 'dead');
    assert.match(stateOf(item, 'gone@customer.test').reply ?? '', /^550 5\.1\.1 .*User unknown/);
    assert.match(row.lastReply ?? '', /550 5\.1\.1/);
  } finally {
    sink.behaviour.rcpt = undefined;
  }
});

test('a retried dead letter goes only to its dead recipients', async () => {
  const t = await readyTenant();
  sink.behaviour.rcpt = (address) => (address === 'later@customer.test' ? { code: 550, message: '5.2.1 Mailbox disabled' } : undefined);
  const res = await notify(t, { to: ['first@customer.test', 'later@customer.test'], subject: 'Partly dead' });
  const { id, messageId } = res.body as { id: string; messageId: string };
  try {
    await waitFor('dead letter', async () => (await db.notification.findUnique({ where: { id } }))?.status === 'dead');
  } finally {
    sink.behaviour.rcpt = undefined;
  }
  const retried = await papi('POST', `/api/v1/tenants/${t.slug}/deliveries/${id}/retry`, { token: t.tam.token });
  assert.equal(retried.status, 200, retried.text);
  await waitFor('delivered after the retry', async () => (await db.notification.findUnique({ where: { id } }))?.status === 'delivered');
  assert.deepEqual(
    sink.received.filter((m) => m.messageId === messageId).map((m) => m.rcptTo),
    [['first@customer.test'], ['later@customer.test']],
  );
  const item = await logEntry(t, id);
  assert.ok(
    item.recipientStates.every((r) => r.state === 'delivered'),
    JSON.stringify(item.recipientStates),
  );
});

test('a relay refusal pauses the tenant with a clear reason instead of dead-lettering every notification', async () => {
  const t = await readyTenant();
  // Like Postfix with smtpd_relay_restrictions: the customer's own domain is accepted, anything else refused.
  sink.behaviour.rcpt = (address) => (address.endsWith('@acme.test') ? undefined : { code: 554, message: `5.7.1 <${address}>: Relay access denied` });
  try {
    const mixed = await notify(t, { to: ['ops2@acme.test', 'outside@customer.test'], subject: 'Relay mixed' });
    const only = await notify(t, { to: ['other@customer.test'], subject: 'Relay outside' });
    await waitFor('paused', async () => (await db.tenantPipeline.findUnique({ where: { tenantId: t.tenant.id } }))?.paused === true);
    await waitFor('leases released', async () => (await db.notification.count({ where: { id: { in: [mixed.body.id, only.body.id] }, leaseOwner: { not: null } } })) === 0);
    const pipeline = await db.tenantPipeline.findUniqueOrThrow({ where: { tenantId: t.tenant.id } });
    assert.match(pipeline.pausedReason ?? '', /does not relay for Relaydesk .*554 5\.7\.1 .*Relay access denied.*Authenticate, or ask the mail admin/);
    const rows = await db.notification.findMany({ where: { id: { in: [mixed.body.id, only.body.id] } } });
    assert.ok(
      rows.every((r) => r.status !== 'dead'),
      JSON.stringify(rows.map((r) => [r.status, r.lastReply])),
    );
    const mixedItem = await logEntry(t, mixed.body.id);
    assert.equal(stateOf(mixedItem, 'ops2@acme.test').state, 'delivered', 'the internal recipient was delivered');
    assert.equal(stateOf(mixedItem, 'outside@customer.test').state, 'pending', 'the refused one waits for the fix');
    assert.equal(await db.auditEvent.count({ where: { tenantId: t.tenant.id, action: 'pipeline.paused' } }), 1);
    const health = await papi('GET', `/api/v1/tenants/${t.slug}/pipeline`, { token: t.member.token });
    assert.match(health.body.pausedReason, /does not relay/);

    // The mail admin permits relaying; the TAM resumes: the waiting recipient gets it, the delivered one not again.
    sink.behaviour.rcpt = undefined;
    assert.equal((await papi('PATCH', `/api/v1/tenants/${t.slug}/pipeline`, { token: t.tam.token, body: { paused: false } })).status, 200);
    for (const id of [mixed.body.id, only.body.id])
      await waitFor('delivered after resume', async () => (await db.notification.findUnique({ where: { id } }))?.status === 'delivered');
    assert.deepEqual(
      sink.received.filter((m) => m.messageId === mixed.body.messageId).map((m) => m.rcptTo),
      [['ops2@acme.test'], ['outside@customer.test']],
    );
  } finally {
    sink.behaviour.rcpt = undefined;
  }
});
