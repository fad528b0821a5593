import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { db } from '../helpers/factories';
import { testDatabaseKind } from '../helpers/test-env';
import { allowLocalServers, appliedTenant, notify, startSink, testWorker, waitFor, type Sink } from './helpers';

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

const arrived = (subject: string) => sink.received.find((m) => m.raw.includes(`Subject: ${subject}`));

test('a worker learns of new work at once: delivered within a second although it polls every 30 s', { timeout: 60_000 }, async () => {
  const t = await appliedTenant(sink.port);
  const worker = testWorker({ pollMs: 30_000 });
  try {
    // The canary of the apply was due before the worker started: its first claim takes it.
    await waitFor('the canary', () => sink.received.some((m) => m.raw.includes('canary')), 10_000);
    await new Promise((r) => setTimeout(r, 200));
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const res = await notify(t, { subject: `Wake ${i}` });
      assert.equal(res.status, 202, res.text);
      await waitFor(`Wake ${i}`, () => arrived(`Wake ${i}`), 5_000);
      const took = Date.now() - started;
      assert.ok(took < 1_000, `delivered ${took} ms after the intake (the next poll would be 30 s away)`);
    }
    if (testDatabaseKind === 'postgres') {
      // The LISTEN connection is cut: the worker connects again and still hears of new work.
      const listener = await worker.wakeListener();
      const pid = listener?.backendPid();
      assert.ok(pid, 'the worker listens on a connection of its own');
      await db.$executeRawUnsafe(`SELECT pg_terminate_backend(${pid})`);
      await waitFor('a new listening connection', () => listener!.backendPid() !== null && listener!.backendPid() !== pid, 10_000);
      const started = Date.now();
      assert.equal((await notify(t, { subject: 'After reconnect' })).status, 202);
      await waitFor('After reconnect', () => arrived('After reconnect'), 5_000);
      assert.ok(Date.now() - started < 1_000, 'woken after the reconnect too');
    }
  } finally {
    await worker.stop();
  }
});

/** The real worker entry, as `npm start` runs it; a 60 s lease, so only a release brings rows back sooner. */
function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/worker.ts'], {
    env: { ...process.env, PIPELINE_POLL_MS: '100', PIPELINE_LEASE_MS: '60000', PIPELINE_SEND_TIMEOUT_MS: '30000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output += c.toString()));
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGKILL') console.error(`worker exited ${code} ${signal}\n${output}`);
  });
  children.push(child);
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));

test(
  'SIGTERM drains a worker: it exits within 10 s and releases its leases at once, so another worker sends the rows long before the lease would run out',
  { timeout: 120_000 },
  async () => {
    const t = await appliedTenant(sink.port);
    const canary = testWorker();
    await waitFor('the canary', async () => (await db.notification.count({ where: { tenantId: t.tenant.id, canary: true, status: 'delivered' } })) === 1, 20_000);
    await canary.stop();
    // The server takes the messages and never answers: their sends are in flight when SIGTERM comes.
    sink.behaviour.hang = (raw) => raw.includes('Subject: Held');
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await notify(t, { subject: `Held ${i}`, to: [`held${i}@customer.test`] });
      assert.equal(res.status, 202, res.text);
      ids.push(res.body.id as string);
    }
    const first = spawnWorker();
    await waitFor('rows leased by the child', async () => (await db.notification.count({ where: { id: { in: ids }, leaseOwner: { not: null } } })) === ids.length, 30_000);
    await waitFor('sends in flight', () => sink.attempts() >= 2, 30_000);

    const signalled = Date.now();
    const exit = exited(first);
    first.kill('SIGTERM');
    assert.deepEqual(await exit, { code: 0, signal: null });
    const tookMs = Date.now() - signalled;
    assert.ok(tookMs < 10_000, `exited ${tookMs} ms after SIGTERM`);
    assert.equal(await db.notification.count({ where: { id: { in: ids }, leaseOwner: { not: null } } }), 0, 'no lease left behind');
    const rows = await db.notification.findMany({ where: { id: { in: ids } } });
    assert.ok(
      rows.every((r) => r.status === 'queued' && r.attempts === 0),
      'given back untouched: a drain is not an attempt',
    );

    sink.behaviour.hang = undefined;
    const second = testWorker();
    try {
      await waitFor('all delivered by the other worker', async () => (await db.notification.count({ where: { id: { in: ids }, status: 'delivered' } })) === ids.length, 20_000);
      const deliveredMs = Date.now() - signalled;
      assert.ok(deliveredMs < 60_000, `picked up ${deliveredMs} ms after SIGTERM, before the 60 s lease would have expired`);
    } finally {
      await second.stop();
    }
  },
);
