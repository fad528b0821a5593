import { testDatabaseKind } from '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { db } from '../helpers/factories';
import { groupedInsertStatements } from '@/server/pipeline/enqueue-notification';
import { allowLocalServers, appliedTenant, notify, papi, startSink, type AppliedTenant, type Sink } from './helpers';

// One notification per call: concurrent calls share one INSERT (one commit), and each answer comes only
// after the commit that holds its row.
let sink: Sink;
let t: AppliedTenant;

before(async () => {
  sink = await startSink();
  await allowLocalServers(sink.port);
  t = await appliedTenant(sink.port);
  // Paused: nothing here is meant to be delivered, and no worker runs.
  await db.tenantPipeline.update({ where: { tenantId: t.tenant.id }, data: { paused: true, pausedReason: 'test' } });
});
after(() => sink.close());

const CALLS = 100;

test('concurrent single calls are stored by fewer INSERTs than calls, each answered after its row is committed', async () => {
  const statementsBefore = groupedInsertStatements();
  let missingAtAnswer = 0;
  const answers = await Promise.all(
    Array.from({ length: CALLS }, async (_, i) => {
      const res = await notify(t, { subject: `Grouped ${i}` });
      // Read back at once, on the same database: the row is there when the 202 is.
      if (res.status === 202 && !(await db.notification.findUnique({ where: { id: res.body.id } }))) missingAtAnswer += 1;
      return res;
    }),
  );
  assert.deepEqual([...new Set(answers.map((a) => a.status))], [202], answers.find((a) => a.status !== 202)?.text);
  assert.equal(missingAtAnswer, 0, 'every 202 came after its row was committed');
  assert.equal(new Set(answers.map((a) => a.body.id)).size, CALLS);
  const rows = await db.notification.findMany({ where: { id: { in: answers.map((a) => a.body.id) } }, select: { id: true, subject: true, messageId: true } });
  assert.equal(rows.length, CALLS);
  for (const [i, a] of answers.entries()) {
    const stored = rows.find((r) => r.id === a.body.id)!;
    assert.equal(stored.subject, `Grouped ${i}`);
    assert.equal(stored.messageId, a.body.messageId);
  }
  const statements = groupedInsertStatements() - statementsBefore;
  assert.ok(statements < CALLS / 2, `${CALLS} concurrent calls took ${statements} INSERT statements`);
});

test('calls that each start in a callback of their own, as requests over HTTP do, still share an INSERT', async () => {
  // A server reads each request in its own I/O callback, and the microtasks of one drain before the next
  // callback runs: on SQLite (a statement runs synchronously) a call that wrote at once was always alone in
  // its statement. Each call here starts from an immediate of its own, in one turn of the event loop.
  const statementsBefore = groupedInsertStatements();
  const answers = await new Promise<Awaited<ReturnType<typeof notify>>[]>((resolve, reject) => {
    const calls: ReturnType<typeof notify>[] = [];
    for (let i = 0; i < 20; i++) {
      setImmediate(() => {
        calls.push(notify(t, { subject: `Own callback ${i}` }));
        if (calls.length === 20) Promise.all(calls).then(resolve, reject);
      });
    }
  });
  assert.deepEqual([...new Set(answers.map((a) => a.status))], [202], answers.find((a) => a.status !== 202)?.text);
  assert.equal(await db.notification.count({ where: { id: { in: answers.map((a) => a.body.id) } } }), 20);
  // On SQLite the calls reach the group in one turn (the token lookup is synchronous): one statement, two if
  // a turn boundary falls between them. On PostgreSQL each call's token lookup answers in an I/O callback of
  // its own, so calls reach the group spread over a few turns and join whichever INSERT is next: fewer
  // statements than half the calls, where writing at once would take one per call.
  const statements = groupedInsertStatements() - statementsBefore;
  const most = testDatabaseKind === 'sqlite' ? 2 : 9;
  assert.ok(statements <= most, `20 calls from 20 callbacks took ${statements} INSERT statements (at most ${most})`);
});

test('a repeated key among concurrent calls answers the original; the others in its group are stored', async () => {
  const first = await notify(t, { idempotencyKey: 'grouped-repeat' });
  assert.equal(first.status, 202, first.text);
  const answers = await Promise.all(
    Array.from({ length: 30 }, (_, i) =>
      i === 15 ? notify(t, { idempotencyKey: 'grouped-repeat' }) : notify(t, { subject: `Neighbour ${i}`, idempotencyKey: `grouped-new-${i}` }),
    ),
  );
  const repeat = answers[15]!;
  assert.equal(repeat.status, 200, repeat.text);
  assert.equal(repeat.body.id, first.body.id);
  assert.equal(repeat.body.messageId, first.body.messageId);
  const others = answers.filter((_, i) => i !== 15);
  assert.deepEqual([...new Set(others.map((a) => a.status))], [202]);
  assert.equal(await db.notification.count({ where: { id: { in: others.map((a) => a.body.id) } } }), 29);
  assert.equal(await db.notification.count({ where: { tenantId: t.tenant.id, idempotencyKey: 'grouped-repeat' } }), 1);
});

test('batches without keys join the group as whole units: each is stored whole, beside a neighbour whose key is taken', async () => {
  const first = await notify(t, { idempotencyKey: 'grouped-batch-repeat' });
  const statementsBefore = groupedInsertStatements();
  const batch = (b: number) =>
    papi('POST', `/api/v1/tenants/${t.slug}/notifications`, {
      token: t.pipelineToken,
      body: { notifications: Array.from({ length: 100 }, (_, i) => ({ to: [`b${b}-${i}@customer.test`], subject: `Batch ${b} item ${i}`, text: 'x', kind: 'mention' })) },
    });
  const [batches, repeat] = await Promise.all([Promise.all(Array.from({ length: 5 }, (_, b) => batch(b))), notify(t, { idempotencyKey: 'grouped-batch-repeat' })]);
  assert.equal(repeat.status, 200, repeat.text);
  assert.equal(repeat.body.id, first.body.id);
  for (const res of batches) {
    assert.equal(res.status, 202, res.text);
    const ids = res.body.items.map((i: { id: string }) => i.id);
    assert.equal(await db.notification.count({ where: { id: { in: ids } } }), 100);
  }
  assert.ok(groupedInsertStatements() - statementsBefore <= 7, 'five batches and a single took no more statements than calls');
});
