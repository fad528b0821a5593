import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db } from '../helpers/factories';
import { allowLocalServers, appliedTenant, notify, papi, startSink, type AppliedTenant, type Sink } from './helpers';

let sink: Sink;
let t: AppliedTenant;

before(async () => {
  sink = await startSink();
  await allowLocalServers(sink.port);
  t = await appliedTenant(sink.port);
});
after(() => sink.close());

const item = (n: number, extra: Record<string, unknown> = {}) => ({ to: [`u${n}@customer.test`], subject: `Batch ${n}`, text: `Body ${n}`, kind: 'mention', ...extra });
const batch = (to: { slug: string; pipelineToken: string }, notifications: unknown[]) =>
  papi('POST', `/api/v1/tenants/${to.slug}/notifications`, { token: to.pipelineToken, body: { notifications } });
const stored = (where: Record<string, unknown> = {}) => db.notification.count({ where: { tenantId: t.tenant.id, canary: false, ...where } });

test('a batch of 500 is stored in one call, each with its own id and Message-ID, in order', async () => {
  const before = await stored();
  const res = await batch(
    t,
    Array.from({ length: 500 }, (_, i) => item(i)),
  );
  assert.equal(res.status, 202, res.text);
  assert.equal(res.body.items.length, 500);
  assert.equal(new Set(res.body.items.map((i: { messageId: string }) => i.messageId)).size, 500);
  assert.equal(await stored(), before + 500);
  const third = await db.notification.findUniqueOrThrow({ where: { id: res.body.items[2].id } });
  assert.equal(third.subject, 'Batch 2');
  assert.equal(third.messageId, res.body.items[2].messageId);
});

test('a batch is validated all or nothing: 422 names the item and the field, nothing is stored', async () => {
  const before = await stored();
  const res = await batch(t, [item(1), item(2, { to: ['not an address'] }), item(3, { kind: 'gossip' })]);
  assert.equal(res.status, 422, res.text);
  assert.deepEqual(res.body.errors.map((e: { path: string }) => e.path).sort(), ['notifications.1.to.0', 'notifications.2.kind']);
  assert.equal(await stored(), before);
  const tooMany = await batch(
    t,
    Array.from({ length: 501 }, (_, i) => item(i)),
  );
  assert.equal(tooMany.status, 422);
  assert.equal(tooMany.body.errors[0].path, 'notifications');
  const empty = await batch(t, []);
  assert.equal(empty.status, 422);
  const longKey = await notify(t, { idempotencyKey: 'k'.repeat(129) });
  assert.equal(longKey.status, 422);
  assert.equal(longKey.body.errors[0].path, 'idempotencyKey');
  assert.equal(await stored(), before);
});

test('a repeated idempotency key answers the original with 200 and enqueues nothing, single and batch', async () => {
  const first = await notify(t, { idempotencyKey: 'issue-7-comment-1' });
  assert.equal(first.status, 202, first.text);
  const count = await stored();
  const again = await notify(t, { idempotencyKey: 'issue-7-comment-1', subject: 'A retry after a timeout' });
  assert.equal(again.status, 200, again.text);
  assert.deepEqual(again.body, first.body);
  assert.equal(await stored(), count);

  // In a batch: the repeat answers the original, the new ones are stored; the same key twice in one batch is one notification.
  const mixed = await batch(t, [item(1, { idempotencyKey: 'issue-7-comment-1' }), item(2, { idempotencyKey: 'b-2' }), item(3, { idempotencyKey: 'b-2' }), item(4)]);
  assert.equal(mixed.status, 202, mixed.text);
  assert.deepEqual(mixed.body.items[0], first.body);
  assert.deepEqual(mixed.body.items[1], mixed.body.items[2]);
  assert.equal(await stored(), count + 2);
  const repeatAll = await batch(t, [item(5, { idempotencyKey: 'b-2' }), item(6, { idempotencyKey: 'issue-7-comment-1' })]);
  assert.equal(repeatAll.status, 200, repeatAll.text);
  assert.deepEqual(repeatAll.body.items, [mixed.body.items[1], first.body]);
  assert.equal(await stored(), count + 2);

  // Keys are the tenant's own: another tenant may use the same one.
  const other = await appliedTenant(sink.port);
  const theirs = await notify(other, { idempotencyKey: 'issue-7-comment-1' });
  assert.equal(theirs.status, 202);
  assert.notEqual(theirs.body.id, first.body.id);
});

test('callers racing with the same key get one notification', async () => {
  const count = await stored();
  const answers = await Promise.all(Array.from({ length: 8 }, () => notify(t, { idempotencyKey: 'race-1' })));
  assert.deepEqual(answers.map((a) => a.status).sort(), [200, 200, 200, 200, 200, 200, 200, 202]);
  assert.equal(new Set(answers.map((a) => a.body.id)).size, 1);
  assert.equal(await stored(), count + 1);
});

test('after 7 days a key names a new notification', async () => {
  const first = await notify(t, { idempotencyKey: 'weekly-digest' });
  await db.notification.update({ where: { id: first.body.id }, data: { createdAt: new Date(Date.now() - 7 * 24 * 3600 * 1000 - 1000) } });
  const later = await notify(t, { idempotencyKey: 'weekly-digest' });
  assert.equal(later.status, 202, later.text);
  assert.notEqual(later.body.id, first.body.id);
  const again = await notify(t, { idempotencyKey: 'weekly-digest' });
  assert.equal(again.status, 200);
  assert.equal(again.body.id, later.body.id);
});
