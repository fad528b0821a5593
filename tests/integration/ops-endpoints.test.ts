import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db } from '../helpers/factories';
import { GET as health } from '@/app/api/health/route';
import { GET as metricsRoute } from '@/app/metrics/route';
import { readiness } from '@/server/ops/readiness';
import { retriesStored } from '@/server/ops/metrics';
import { queryPlan } from '../helpers/query-plan';
import { allowLocalServers, appliedTenant, notify, startSink, type Sink } from '../pipeline/helpers';

let sink: Sink;
before(async () => {
  sink = await startSink();
  await allowLocalServers(sink.port);
});
after(() => sink.close());

const scrape = (token?: string) => metricsRoute(new Request('http://relaydesk.test/metrics', { headers: token ? { authorization: `Bearer ${token}` } : {} }));

test('health answers readiness: 200 when migrated, 503 naming the pending migration when one is missing', async () => {
  const ok = await health();
  assert.equal(ok.status, 200);
  assert.deepEqual(await ok.json(), { ok: true, database: 'ok' });

  const [latest] = await db.$queryRawUnsafe<{ name: string }[]>('SELECT name FROM "_relaydesk_migrations" ORDER BY name DESC LIMIT 1');
  await db.$executeRawUnsafe(`DELETE FROM "_relaydesk_migrations" WHERE name = '${latest!.name}'`);
  try {
    const state = await readiness(Date.now() + 60_000);
    assert.deepEqual(state, { ok: false, database: 'migrations-pending', pending: [latest!.name] });
    const refused = await health();
    assert.equal(refused.status, 503);
  } finally {
    await db.$executeRawUnsafe(`INSERT INTO "_relaydesk_migrations" (name, "appliedAt") VALUES ('${latest!.name}', '2026-01-01T00:00:00Z')`);
    await readiness(Date.now() + 120_000);
  }
});

test('metrics: 404 while RELAYDESK_METRICS_TOKEN is unset, 401 with a wrong token, Prometheus text with the right one', async () => {
  delete process.env.RELAYDESK_METRICS_TOKEN;
  assert.equal((await scrape('anything')).status, 404);
  process.env.RELAYDESK_METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
  assert.equal((await scrape()).status, 401);
  assert.equal((await scrape('metrics-token-for-tests-wrong')).status, 401);

  const t = await appliedTenant(sink.port);
  for (let i = 0; i < 3; i += 1) assert.equal((await notify(t)).status, 202);
  assert.equal((await notify(t, { idempotencyKey: 'm-1' })).status, 202);
  assert.equal((await notify(t, { idempotencyKey: 'm-1' })).status, 200);
  await db.tenantPipeline.update({ where: { tenantId: t.tenant.id }, data: { paused: true, pausedReason: 'test' } });

  // Five waiting: the four stored now and the canary of the apply.
  const res = await scrape('metrics-token-for-tests-0123456789');
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const text = await res.text();
  assert.match(text, new RegExp(`^relaydesk_queue_depth\\{tenant="${t.slug}"\\} 5$`, 'm'));
  assert.match(text, new RegExp(`^relaydesk_queue_oldest_age_seconds\\{tenant="${t.slug}"\\} \\d`, 'm'));
  assert.match(text, /^relaydesk_tenants_paused [1-9]/m);
  assert.match(text, /^relaydesk_intake_notifications_total\{outcome="stored"\} 4$/m);
  assert.match(text, /^relaydesk_intake_notifications_total\{outcome="repeated"\} 1$/m);
  assert.match(text, /^relaydesk_process_resident_memory_bytes \d+/m);
  assert.doesNotMatch(text, /metrics-token-for-tests/);
});

test('metrics: retries are the attempts beyond the first, read through the partial index of retried rows only', async () => {
  process.env.RELAYDESK_METRICS_TOKEN = 'metrics-token-for-tests-0123456789';
  const t = await appliedTenant(sink.port);
  await db.tenantPipeline.update({ where: { tenantId: t.tenant.id }, data: { paused: true, pausedReason: 'test' } });
  const before = await retriesStored();
  const ids: string[] = [];
  for (let i = 0; i < 4; i += 1) ids.push((await notify(t)).body.id as string);
  // Sent once (no retry), twice (one), four times (three), never: four more retries.
  for (const [id, attempts] of [
    [ids[0], 1],
    [ids[1], 2],
    [ids[2], 4],
    [ids[3], 0],
  ] as const)
    await db.notification.update({ where: { id }, data: { attempts } });
  assert.equal(await retriesStored(), before + 4);
  const text = await (await scrape('metrics-token-for-tests-0123456789')).text();
  assert.match(text, new RegExp(`^relaydesk_delivery_retries ${before + 4}$`, 'm'));

  // The plan reads the partial index, not the table.
  const plan = await queryPlan('SELECT SUM("attempts" - 1) AS "retries" FROM "Notification" WHERE "attempts" > 1');
  assert.match(plan, /Notification_retried_idx/);
  assert.doesNotMatch(plan, /Seq Scan|SCAN "?Notification"?(?! USING)/);
});
