import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db } from '../helpers/factories';
import type { PipelineWorker } from '@/server/pipeline/worker';
import { allowLocalServers, appliedTenant, notify, papi, startSink, testedRequest, testWorker, waitFor, type Sink } from './helpers';

let sink: Sink;
let plainSink: Sink;
let worker: PipelineWorker;

before(async () => {
  // Offers STARTTLS, and would accept AUTH without it (many servers do): the client must choose TLS.
  sink = await startSink({}, { allowInsecureAuth: true });
  // No TLS at all: with encryption "none" the pipeline keeps today's behaviour.
  plainSink = await startSink({}, { allowInsecureAuth: true, hideSTARTTLS: true });
  await allowLocalServers(sink.port, plainSink.port);
  worker = testWorker({ backoff: { baseMs: 60_000, capMs: 60_000 } });
});
after(async () => {
  await worker.stop(1_000);
  await sink.close();
  await plainSink.close();
});

const canaryDelivered = (tenantId: string) =>
  waitFor('canary delivered', async () => (await db.notification.findFirst({ where: { tenantId, canary: true, status: 'delivered' } })) ?? null);

test('with encryption "none" and a password, the pipeline upgrades with STARTTLS before AUTH when the server offers it', async () => {
  const tested = await testedRequest(sink.port, { encryption: 'none' });
  // Every AUTH from here on is the pipeline's (the test email before it is the probe's part).
  const before = sink.auths.length;
  assert.equal((await papi('POST', `/api/v1/smtp-requests/${tested.requestId}/apply`, { token: tested.tam.token })).status, 201);
  const token = await papi('POST', `/api/v1/tenants/${tested.tenant.slug}/pipeline-tokens`, { token: tested.tam.token });
  const t = { ...tested, slug: tested.tenant.slug, pipelineToken: token.body.token as string };
  const res = await notify(t, { subject: 'Over TLS' });
  await waitFor('delivered', async () => (await db.notification.findUnique({ where: { id: res.body.id } }))?.status === 'delivered');
  await canaryDelivered(t.tenant.id);
  const pipelineAuths = sink.auths.slice(before);
  assert.ok(pipelineAuths.length > 0, 'the pipeline authenticated');
  assert.ok(
    pipelineAuths.every((a) => a.secure),
    'no AUTH in clear text',
  );

  // A server without any TLS: delivered in clear only because the customer acknowledged it.
  const plain = await appliedTenant(plainSink.port, { encryption: 'none', plaintextAuthAcknowledged: true });
  const sent = await notify(plain, { subject: 'No TLS at all' });
  await waitFor('delivered without TLS', async () => (await db.notification.findUnique({ where: { id: sent.body.id } }))?.status === 'delivered');
});

test('closing a pool says QUIT to the server', async () => {
  const t = await appliedTenant(plainSink.port, { encryption: 'none', plaintextAuthAcknowledged: true });
  const res = await notify(t, { subject: 'Before QUIT' });
  await waitFor('delivered', async () => (await db.notification.findUnique({ where: { id: res.body.id } }))?.status === 'delivered');
  await canaryDelivered(t.tenant.id);
  const before = plainSink.quits();
  await worker.stop(1_000);
  worker = testWorker({ backoff: { baseMs: 60_000, capMs: 60_000 } });
  await waitFor('QUIT seen by the server', () => plainSink.quits() > before, 3_000);
});

test('the last error carries the time it happened, not the time of the next try; a 421 keeps its text', async () => {
  const t = await appliedTenant(sink.port);
  await canaryDelivered(t.tenant.id);
  sink.behaviour.mail = () => ({ code: 421, message: '4.7.0 mx.relaydesk.test Service not available, closing transmission channel' });
  try {
    const before = Date.now();
    const res = await notify(t, { subject: 'Busy' });
    const row = await waitFor('retrying', async () => {
      const r = await db.notification.findUnique({ where: { id: res.body.id } });
      return r?.status === 'retrying' ? r : null;
    });
    assert.match(row.lastReply ?? '', /^421 4\.7\.0 mx\.relaydesk\.test Service not available/);
    const health = await papi('GET', `/api/v1/tenants/${t.slug}/pipeline`, { token: t.member.token });
    assert.equal(health.status, 200, health.text);
    const at = Date.parse(health.body.lastError.at);
    assert.ok(at >= before - 1_000 && at <= Date.now(), `lastError.at ${health.body.lastError.at} is when it failed (next try ${row.nextAttemptAt.toISOString()})`);
    assert.match(health.body.lastError.reply, /^421 4\.7\.0/);
  } finally {
    sink.behaviour.mail = undefined;
  }
});

test('a 421 that closes the connection in the middle of pipelined RCPTs is recorded with its text, not as "connection closed"', async () => {
  const t = await appliedTenant(sink.port);
  await canaryDelivered(t.tenant.id);
  sink.behaviour.rcpt = (address) =>
    address === 'first@customer.test' ? { code: 421, message: '4.3.2 mx.relaydesk.test Service shutting down, closing transmission channel' } : undefined;
  try {
    const res = await notify(t, { to: ['first@customer.test', 'second@customer.test'], subject: 'Shutting down' });
    const row = await waitFor('retrying', async () => {
      const r = await db.notification.findUnique({ where: { id: res.body.id } });
      return r?.status === 'retrying' ? r : null;
    });
    assert.match(row.lastReply ?? '', /^421 4\.3\.2 mx\.relaydesk\.test Service shutting down/);
    assert.equal(sink.received.filter((m) => m.messageId === res.body.messageId).length, 0, 'nothing was sent');
  } finally {
    sink.behaviour.rcpt = undefined;
  }
});
