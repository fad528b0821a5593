import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db } from '../helpers/factories';
import { startFront, type Front } from '../helpers/switchable-port';
import type { PipelineWorker } from '@/server/pipeline/worker';
import { allowLocalServers, appliedTenant, notify, startSink, testWorker, waitFor, type Sink } from './helpers';

// Issue 10: a refused or timed-out connection used to leak a slot of nodemailer's pool; after
// maxConnections of them every later send waited forever, until Relaydesk was restarted.

let sink: Sink;
let front: Front;
let worker: PipelineWorker;

before(async () => {
  sink = await startSink();
  front = await startFront(sink.port);
  await allowLocalServers(sink.port, front.port);
  worker = testWorker();
});
after(async () => {
  await worker.stop(1_000);
  await front.close();
  await sink.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readyTenant() {
  const t = await appliedTenant(front.port);
  await waitFor('canary delivered', async () => (await db.notification.findFirst({ where: { tenantId: t.tenant.id, canary: true, status: 'delivered' } })) ?? null);
  return t;
}

async function enqueue(t: Awaited<ReturnType<typeof readyTenant>>, label: string, count: number) {
  const sent: Array<{ id: string; messageId: string }> = [];
  for (let i = 0; i < count; i++) {
    const res = await notify(t, { subject: `${label} ${i}` });
    assert.equal(res.status, 202, res.text);
    sent.push(res.body);
  }
  return sent;
}

/** Every notification delivered, each received exactly once, with its own Message-ID. */
async function deliveredExactlyOnce(sent: Array<{ id: string; messageId: string }>, timeoutMs = 20_000) {
  const ids = sent.map((s) => s.id);
  await waitFor('every notification delivered', async () => (await db.notification.count({ where: { id: { in: ids }, status: 'delivered' } })) === ids.length, timeoutMs);
  for (const { messageId } of sent) assert.equal(sink.received.filter((m) => m.messageId === messageId).length, 1, `${messageId} received exactly once`);
}

test('a server that refuses connections for 30 s and comes back on the same port gets everything, exactly once, without a restart', async () => {
  const t = await readyTenant();
  await front.set('refuse');
  const started = Date.now();
  const sent = await enqueue(t, 'Outage', 8);
  await waitFor(
    'refused attempts recorded',
    async () => (await db.notification.count({ where: { id: { in: sent.map((s) => s.id) }, status: 'retrying', lastReply: { contains: 'ECONNREFUSED' } } })) > 0,
  );
  await sleep(Math.max(0, 30_000 - (Date.now() - started)));
  // Still trying at the end of the outage: new attempts are being made, not waiting on a dead pool.
  const before = await db.notification.aggregate({ where: { id: { in: sent.map((s) => s.id) } }, _sum: { attempts: true } });
  await waitFor(
    'attempts still being made',
    async () => ((await db.notification.aggregate({ where: { id: { in: sent.map((s) => s.id) } }, _sum: { attempts: true } }))._sum.attempts ?? 0) > (before._sum.attempts ?? 0),
    5_000,
  );
  await front.set('forward');
  await deliveredExactlyOnce(sent);
  const pipeline = await db.tenantPipeline.findUniqueOrThrow({ where: { tenantId: t.tenant.id } });
  assert.equal(pipeline.paused, false, 'an outage is not a reason to pause');
});

test('a connect that times out (SYNs dropped) recovers, and so does a server that accepts and never greets', async () => {
  const t = await readyTenant();
  await front.set('blackhole');
  const dropped = await enqueue(t, 'Blackhole', 4);
  await waitFor(
    'connect timeouts recorded',
    async () => (await db.notification.count({ where: { id: { in: dropped.map((s) => s.id) }, status: 'retrying', lastReply: { contains: 'timed out' } } })) > 0,
    10_000,
  );
  // More timeouts than the pool has connections: each must free its slot.
  await sleep(3_000);
  await front.set('forward');
  await deliveredExactlyOnce(dropped);

  await front.set('silent');
  const silent = await enqueue(t, 'Silent', 4);
  await waitFor(
    'greeting timeouts recorded',
    async () => (await db.notification.count({ where: { id: { in: silent.map((s) => s.id) }, status: 'retrying', lastReply: { contains: 'Greeting never received' } } })) > 0,
    10_000,
  );
  await sleep(3_000);
  await front.set('forward');
  await deliveredExactlyOnce(silent);
});
