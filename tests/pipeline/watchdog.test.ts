import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db } from '../helpers/factories';
import type { PipelineWorker } from '@/server/pipeline/worker';
import { allowLocalServers, appliedTenant, notify, papi, startSink, testWorker, waitFor, type Sink } from './helpers';

let sink: Sink;
let worker: PipelineWorker;

before(async () => {
  sink = await startSink();
  await allowLocalServers(sink.port);
  // A long socket timeout: nothing but the watchdog would end a send the server never answers.
  worker = testWorker({ timeouts: { connectionMs: 1_000, greetingMs: 1_000, socketMs: 60_000 }, watchdogMs: 3_600_000 });
});
after(async () => {
  await worker.stop(1_000);
  await sink.close();
});

test('a lane that makes no progress is recycled, shown on the pipeline status, and its message is retried and delivered once', async () => {
  const t = await appliedTenant(sink.port);
  await waitFor('canary delivered', async () => (await db.notification.findFirst({ where: { tenantId: t.tenant.id, canary: true, status: 'delivered' } })) ?? null);
  sink.behaviour.hang = (raw) => raw.includes('Subject: Hung');
  const attempts = sink.attempts();
  const res = await notify(t, { subject: 'Hung' });
  // The server has the whole message and never answers the end of DATA.
  await waitFor('DATA received', () => sink.attempts() > attempts);
  sink.behaviour.hang = undefined;

  await worker.watchdog(Date.now() + 60_000);
  const untouched = await db.notification.findUniqueOrThrow({ where: { id: res.body.id } });
  assert.equal(untouched.attempts, 0, 'within its timeouts a slow send is left alone');

  // Later than connection + greeting + six socket timeouts: the lane is stuck.
  await worker.watchdog(Date.now() + 10 * 60_000);
  const retried = await waitFor('retrying after the recycle', async () => {
    const r = await db.notification.findUnique({ where: { id: res.body.id } });
    return r && r.attempts > 0 ? r : null;
  });
  assert.match(retried.lastReply ?? '', /No send settled for \d+ s: the connection pool was recycled/);
  const health = await papi('GET', `/api/v1/tenants/${t.slug}/pipeline`, { token: t.member.token });
  assert.equal(health.status, 200, health.text);
  assert.ok(health.body.lastRecycle, 'the recycle is visible');
  assert.match(health.body.lastRecycle.reason, /No progress for \d+ s with 1 send\(s\) in flight/);
  await waitFor('delivered on a fresh connection', async () => (await db.notification.findUnique({ where: { id: res.body.id } }))?.status === 'delivered');
  assert.equal(sink.received.filter((m) => m.messageId === res.body.messageId).length, 1);
});
