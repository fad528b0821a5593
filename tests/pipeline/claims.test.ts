import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db } from '../helpers/factories';
import { allowLocalServers, appliedTenant, papi, startSink, testWorker, waitFor, type Sink } from './helpers';

// Each claim is a statement (a commit on SQLite): a worker draining a backlog claims it a batch at a time.
let sink: Sink;

before(async () => {
  sink = await startSink();
  await allowLocalServers(sink.port);
});
after(() => sink.close());

test('a backlog is claimed in whole batches: as the sends free room the worker claims once, not on every freed send', { timeout: 120_000 }, async () => {
  const t = await appliedTenant(sink.port);
  const N = 600;
  for (let b = 0; b < N / 300; b++) {
    const res = await papi('POST', `/api/v1/tenants/${t.slug}/notifications`, {
      token: t.pipelineToken,
      body: { notifications: Array.from({ length: 300 }, (_, i) => ({ to: [`c${b}-${i}@customer.test`], subject: `Backlog ${b}-${i}`, text: 'x', kind: 'mention' })) },
    });
    assert.equal(res.status, 202, res.text);
  }
  // Polls far apart: every claim here comes from the worker's own wake-ups (room freed, a lane at half).
  const worker = testWorker({ pollMs: 30_000, batchSize: 100, tenantBacklog: 100 });
  try {
    await waitFor('the backlog delivered', async () => (await db.notification.count({ where: { tenantId: t.tenant.id, status: 'delivered', canary: false } })) === N, 60_000);
    // A batch of 100 fills the lane, the next one when it is down to half: about N / 50 claims, plus the
    // empty ones that follow a full batch. Waking on every freed send took one claim per few sends.
    assert.ok(worker.claims <= N / 50 + 10, `${N} notifications took ${worker.claims} claims`);
  } finally {
    await worker.stop();
  }
});
