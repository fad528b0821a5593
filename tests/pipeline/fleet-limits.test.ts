import '../helpers/test-env';
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { db } from '../helpers/factories';
import { allowLocalServers, appliedTenant, notify, papi, startSink, waitFor, type Sink } from './helpers';

// Issue 13: maxConnections and ratePerMinute hold for all workers together, not per worker.

type CountingProxy = { port: number; current: () => number; max: () => number; resetMax: () => void; close: () => Promise<void> };

/** Forwards to the sink and counts the connections open at once (idle pooled ones included). */
async function countingProxy(target: number): Promise<CountingProxy> {
  let current = 0;
  let max = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    current += 1;
    max = Math.max(max, current);
    const upstream = net.connect(target, '127.0.0.1');
    sockets.add(client).add(upstream);
    const end = () => {
      if (!sockets.delete(client)) return;
      current -= 1;
      upstream.destroy();
      client.destroy();
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    current: () => current,
    max: () => max,
    resetMax: () => (max = current),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

let sink: Sink;
let proxy: CountingProxy;
const children: ChildProcess[] = [];

before(async () => {
  sink = await startSink();
  proxy = await countingProxy(sink.port);
  await allowLocalServers(sink.port, proxy.port);
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await proxy.close();
  await sink.close();
});

/** The real worker entry, as `npm start` runs it (after allowLocalServers, so it may reach the test servers). */
function spawnWorker(): ChildProcess {
  const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/worker.ts'], {
    env: { ...process.env, PIPELINE_POLL_MS: '50', PIPELINE_LEASE_MS: '20000', PIPELINE_BATCH: '10', PIPELINE_TENANT_BACKLOG: '10' },
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

const exited = (child: ChildProcess) => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));

test('two worker processes together open at most maxConnections to a tenant and send at most ratePerMinute in any clock minute', { timeout: 180_000 }, async () => {
  const pooled = await appliedTenant(proxy.port, { noReplyAddress: 'noreply@pooled.test' });
  const rated = await appliedTenant(sink.port, { noReplyAddress: 'noreply@rated.test' });
  const RATE = 8;
  for (const [t, body] of [
    [pooled, { maxConnections: 2 }],
    [rated, { maxConnections: 2, ratePerMinute: RATE }],
  ] as const) {
    const res = await papi('PATCH', `/api/v1/tenants/${t.slug}/pipeline`, { token: t.tam.token, body });
    assert.equal(res.status, 200, res.text);
  }
  // Slow answers keep every connection of both workers busy at once.
  sink.behaviour.dataDelayMs = 40;
  const ids: string[] = [];
  for (let i = 0; i < 60; i++) {
    const res = await notify(pooled, { subject: `Pooled ${i}`, to: [`p${i}@customer.test`] });
    assert.equal(res.status, 202, res.text);
    ids.push(res.body.id as string);
  }
  for (let i = 0; i < 14; i++) {
    const res = await notify(rated, { subject: `Rated ${i}`, to: [`r${i}@customer.test`] });
    assert.equal(res.status, 202, res.text);
    ids.push(res.body.id as string);
  }
  await waitFor('the probes’ connections closed', () => proxy.current() === 0, 10_000);
  proxy.resetMax();

  // The rated tenant's first 8 go at once and the rest at the next minute's start: starting early in a
  // minute keeps every send well inside the minute its permit was counted in (connection setup takes time).
  const into = Date.now() % 60_000;
  if (into > 30_000) await new Promise((r) => setTimeout(r, 60_000 - into + 200));
  const started = Date.now();
  const workers = [spawnWorker(), spawnWorker()];
  try {
    await waitFor('the pooled tenant delivered', async () => (await db.notification.count({ where: { tenantId: pooled.tenant.id, status: 'delivered' } })) === 61, 90_000);
    assert.ok(proxy.max() <= 2, `at most 2 connections to the pooled tenant's server at once across both workers, saw ${proxy.max()}`);

    // The rated tenant (its test email of the probe came before the workers): whatever minute the run falls in, no clock minute holds more than RATE messages.
    await waitFor('the rated tenant delivered', async () => (await db.notification.count({ where: { tenantId: rated.tenant.id, status: 'delivered' } })) === 15, 150_000);
    const perMinute = new Map<number, number>();
    for (const m of sink.received.filter((r) => r.mailFrom === 'noreply@rated.test' && r.at >= started))
      perMinute.set(Math.floor(m.at / 60_000), (perMinute.get(Math.floor(m.at / 60_000)) ?? 0) + 1);
    assert.ok(
      [...perMinute.values()].every((n) => n <= RATE),
      `messages per minute across both workers: ${JSON.stringify([...perMinute.values()])}, limit ${RATE}`,
    );
    assert.ok(perMinute.size >= 2, 'the 15 messages needed a second minute');
  } finally {
    for (const w of workers) w.kill('SIGTERM');
    await Promise.all(workers.map(exited));
  }
  assert.equal(await db.tenantSendSlot.count({ where: { owner: { not: null } } }), 0, 'the workers gave their connection slots back on SIGTERM');
});
