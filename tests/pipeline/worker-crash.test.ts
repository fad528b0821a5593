import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { db } from '../helpers/factories';
import { allowLocalServers, appliedTenant, notify, startSink, waitFor, type Sink } from './helpers';

let sink: Sink;
const children: ChildProcess[] = [];

before(async () => {
  sink = await startSink();
  await allowLocalServers(sink.port);
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await sink.close();
});

/** The real worker entry, as `npm start` runs it, against this test's database. */
function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/worker.ts'], {
    env: {
      ...process.env,
      PIPELINE_POLL_MS: '25',
      PIPELINE_LEASE_MS: '1500',
      PIPELINE_BATCH: '10',
      PIPELINE_TENANT_BACKLOG: '10',
      PIPELINE_BACKOFF_BASE_MS: '50',
      PIPELINE_BACKOFF_CAP_MS: '200',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGKILL' && signal !== 'SIGTERM') console.error(`worker exited ${code} ${signal}\n${output}`);
  });
  children.push(child);
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

test('kill -9 the worker mid-batch, start it again: every notification is delivered, a resent one keeps its Message-ID', { timeout: 150_000 }, async () => {
  const t = await appliedTenant(sink.port);
  const accepted: { id: string; messageId: string }[] = [];
  for (let i = 0; i < 40; i++) {
    const res = await notify(t, { subject: `Batch ${i}`, to: [`user${i}@customer.test`] });
    assert.equal(res.status, 202, res.text);
    accepted.push(res.body);
  }
  // Slow answers to DATA keep a batch in flight when the kill comes.
  sink.behaviour.dataDelayMs = 40;
  const first = spawnWorker();
  await waitFor('some deliveries', () => sink.received.filter((m) => m.raw.includes('Subject: Batch')).length >= 8, 60_000);
  first.kill('SIGKILL');
  assert.equal((await exited(first)).signal, 'SIGKILL');
  const leased = await db.notification.count({ where: { tenantId: t.tenant.id, leaseOwner: { not: null } } });
  assert.ok(leased > 0, 'the killed worker held leases on unfinished rows');

  sink.behaviour.dataDelayMs = 0;
  const second = spawnWorker();
  await waitFor('all delivered', async () => (await db.notification.count({ where: { tenantId: t.tenant.id, canary: false, status: 'delivered' } })) === accepted.length, 90_000);

  const received = sink.received.filter((m) => m.raw.includes('Subject: Batch'));
  const ids = new Set(accepted.map((a) => a.messageId));
  for (const a of accepted)
    assert.ok(
      received.some((m) => m.messageId === a.messageId),
      `${a.messageId} arrived`,
    );
  assert.ok(
    received.every((m) => ids.has(m.messageId)),
    'every copy, duplicates included, carries a Message-ID given at enqueue',
  );
  for (const m of received) {
    const copies = received.filter((r) => r.messageId === m.messageId);
    assert.ok(
      copies.every((c) => c.rcptTo.join() === m.rcptTo.join()),
      'a duplicate is the same message',
    );
  }

  // SIGTERM stops it gracefully.
  second.kill('SIGTERM');
  assert.deepEqual(await exited(second), { code: 0, signal: null });
  assert.equal(await db.notification.count({ where: { tenantId: t.tenant.id, leaseOwner: { not: null } } }), 0);
});
