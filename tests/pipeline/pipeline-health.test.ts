import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db } from '../helpers/factories';
import { queryPlan } from '../helpers/query-plan';
import { AS_TIMESTAMP, placeholder, sqlTime } from '@/server/db-dialect';
import { allowLocalServers, appliedTenant, notify, papi, startSink, type Sink } from './helpers';

// The health summary (tenant page, GET …/pipeline) counts in the database through the partial indexes of
// delivered and dead rows (migration 0023): the hours, the totals and the last error, checked against
// rows placed at known times, with another tenant's rows and rows older than the day beside them.

let sink: Sink;
before(async () => {
  sink = await startSink();
  await allowLocalServers(sink.port);
});
after(() => sink.close());

const HOUR = 3_600_000;

test('the 24 hourly buckets, the counts and the last error come from the rows of this tenant and this day only', async () => {
  const t = await appliedTenant(sink.port);
  const other = await appliedTenant(sink.port);
  for (const x of [t, other]) await db.tenantPipeline.update({ where: { tenantId: x.tenant.id }, data: { paused: true, pausedReason: 'test' } });
  await db.notification.deleteMany({ where: { tenantId: { in: [t.tenant.id, other.tenant.id] } } }); // the canaries of the applies

  const now = Date.now();
  const start = Math.floor(now / HOUR) * HOUR - 23 * HOUR;
  const ids = async (x: typeof t, n: number) => {
    const out: string[] = [];
    for (let i = 0; i < n; i += 1) out.push((await notify(x)).body.id as string);
    return out;
  };
  const mine = await ids(t, 12);
  const theirs = await ids(other, 2);
  const at = (ms: number) => new Date(ms);
  const set = (id: string, data: Parameters<typeof db.notification.update>[0]['data']) => db.notification.update({ where: { id }, data });

  // Delivered: two in the first hour (one on its edge), one mid-day, one in the current hour, one
  // a minute ahead of the clock (counted in the current hour), one 25 hours ago (not in the day).
  await set(mine[0]!, { status: 'delivered', sentAt: at(start), attempts: 1 });
  await set(mine[1]!, { status: 'delivered', sentAt: at(start + HOUR - 1), attempts: 1 });
  await set(mine[2]!, { status: 'delivered', sentAt: at(start + 10 * HOUR + 5), attempts: 1 });
  await set(mine[3]!, { status: 'delivered', sentAt: at(now), attempts: 1 });
  await set(mine[4]!, { status: 'delivered', sentAt: at(start + 24 * HOUR + 60_000), attempts: 1 });
  await set(mine[5]!, { status: 'delivered', sentAt: at(start - 2 * HOUR), attempts: 1 });
  // Dead: one in hour 3 (the older error), one two days ago (counted in the total, not the day).
  await set(mine[6]!, { status: 'dead', deadAt: at(start + 3 * HOUR), lastErrorAt: at(start + 3 * HOUR), lastReply: '550 5.1.1 older dead', attempts: 1 });
  await set(mine[7]!, { status: 'dead', deadAt: at(start - 48 * HOUR), lastErrorAt: at(start - 48 * HOUR), lastReply: '550 5.1.1 oldest', attempts: 1 });
  // Waiting: two retrying (the newest error of all is one of them), the rest queued.
  await set(mine[8]!, { status: 'retrying', lastErrorAt: at(start + 20 * HOUR), lastReply: '421 4.7.0 newest', attempts: 1 });
  await set(mine[9]!, { status: 'retrying', lastErrorAt: at(start + 2 * HOUR), lastReply: '451 4.3.0 old', attempts: 1 });
  // Another tenant's delivered and dead rows in the same hours change nothing here.
  await set(theirs[0]!, { status: 'delivered', sentAt: at(start + 10 * HOUR), attempts: 1 });
  await set(theirs[1]!, { status: 'dead', deadAt: at(now), lastErrorAt: at(now), lastReply: '550 theirs', attempts: 1 });

  const health = await papi('GET', `/api/v1/tenants/${t.slug}/pipeline`, { token: t.admin.token });
  assert.equal(health.status, 200);
  const buckets = health.body.buckets as Array<{ hour: string; delivered: number; retrying: number; dead: number }>;
  assert.equal(buckets.length, 24);
  assert.equal(buckets[0]!.hour, new Date(start).toISOString());
  const expected = Array.from({ length: 24 }, () => ({ delivered: 0, retrying: 0, dead: 0 }));
  expected[0]!.delivered = 2;
  expected[10]!.delivered = 1;
  expected[23]!.delivered = 2;
  expected[3]!.dead = 1;
  expected[23]!.retrying = 2;
  assert.deepEqual(
    buckets.map(({ delivered, retrying, dead }) => ({ delivered, retrying, dead })),
    expected,
  );
  assert.deepEqual({ queued: health.body.queued, retrying: health.body.retrying, dead: health.body.dead }, { queued: 2, retrying: 2, dead: 2 });
  assert.equal(health.body.lastError.reply, '421 4.7.0 newest');
  assert.equal(health.body.lastError.status, 'retrying');
  assert.equal(health.body.lastError.at, new Date(start + 20 * HOUR).toISOString());

  // The newest error a dead letter's: it is the one shown.
  await set(mine[6]!, { lastErrorAt: at(start + 21 * HOUR), deadAt: at(start + 21 * HOUR) });
  const later = await papi('GET', `/api/v1/tenants/${t.slug}/pipeline`, { token: t.admin.token });
  assert.deepEqual([later.body.lastError.reply, later.body.lastError.status], ['550 5.1.1 older dead', 'dead']);
  assert.equal(later.body.buckets[21].dead, 1);
  assert.equal(later.body.buckets[3].dead, 0);
});

test('the day’s delivered and dead rows are read through their partial indexes, not the tenant’s history', async () => {
  const plans: string[] = [];
  for (const [status, column] of [
    ['delivered', 'sentAt'],
    ['dead', 'deadAt'],
  ] as const) {
    const sql = `SELECT COUNT(*) FROM "Notification" WHERE "tenantId" = ${placeholder(1)} AND "status" = '${status}' AND "${column}" >= ${placeholder(2)}${AS_TIMESTAMP}`;
    plans.push(await queryPlan(sql, 'tenant', sqlTime(new Date('2026-01-01T00:00:00Z'))));
  }
  assert.match(plans[0]!, /Notification_delivered_idx/);
  assert.match(plans[1]!, /Notification_dead_idx/);
  for (const plan of plans) assert.doesNotMatch(plan, /Seq Scan|SCAN "?Notification"?\s*$/m);
});
