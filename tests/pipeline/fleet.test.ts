import '../helpers/test-env';
// Issue 13, done when: two web processes (the production server, `next start`) and two workers as separate
// OS processes on one PostgreSQL database; 20,000 notifications through both web processes (batches and
// singles, every one with an idempotency key, some keys repeated); one worker and one web process
// SIGKILLed mid-run and started again. Every notification is delivered; a copy beyond the first is only an
// at-least-once redelivery with the same Message-ID (counted and reported); the rated tenant's messages
// per minute stay within its limit across both workers; the audit chain verifies.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { db } from '../helpers/factories';
import { testDatabaseKind } from '../helpers/test-env';
import { verifyChain } from '@/server/audit/verify-chain';
import { allowLocalServers, appliedTenant, papi, startSink, waitFor, type AppliedTenant, type Sink } from './helpers';

const TOTAL = 20_000;
const RATED = 240;
const RATE = 200;
const skip =
  testDatabaseKind !== 'postgres'
    ? 'PostgreSQL only: a fleet of processes on one database (run with TEST_DATABASE=postgres)'
    : !existsSync('.next/BUILD_ID')
      ? 'needs the production build: run `npm run build` first'
      : false;

let sink: Sink;
const children = new Set<ChildProcess>();

before(async () => {
  if (skip) return;
  sink = await startSink();
  await allowLocalServers(sink.port);
});
after(async () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await sink?.close();
});

function start(args: string[], env: Record<string, string>, what: string): ChildProcess {
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-4000)));
  child.stderr?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-4000)));
  child.on('exit', (code, signal) => {
    children.delete(child);
    if (code && signal !== 'SIGKILL') console.error(`${what} exited ${code} ${signal}\n${out}`);
  });
  children.add(child);
  return child;
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

const startWeb = (port: number) =>
  start([path.join('node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-p', String(port), '-H', '127.0.0.1'], { NODE_ENV: 'production' }, `web :${port}`);
const startWorker = () =>
  start(
    ['--conditions=react-server', '--import', 'tsx', 'scripts/worker.ts'],
    { PIPELINE_LEASE_MS: '5000', PIPELINE_POLL_MS: '200', PIPELINE_BATCH: '500', PIPELINE_TENANT_BACKLOG: '1000' },
    'worker',
  );
const killed = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : (child.once('exit', () => resolve()), child.kill('SIGKILL'))));

const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
type Item = { id: string; messageId: string };

function post(port: number, t: AppliedTenant, body: unknown): Promise<{ status: number; body: { id?: string; messageId?: string; items?: Item[] } }> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: `/api/v1/tenants/${t.slug}/notifications`,
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${t.pipelineToken}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} });
          } catch (error) {
            reject(error as Error);
          }
        });
      },
    );
    req.on('error', reject);
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.end(data);
  });
}

const note = (key: string) => ({ to: [`${key}@customer.test`], subject: `Fleet ${key}`, text: 'Hello from the fleet', kind: 'mention', idempotencyKey: key });

test(
  'a fleet: 20,000 notifications through two production web processes and two workers, one of each SIGKILLed and restarted, all delivered, limits held, the audit chain intact',
  { skip, timeout: 900_000 },
  async (t) => {
    const plain = [await appliedTenant(sink.port, { noReplyAddress: 'noreply@fleet-a.test' }), await appliedTenant(sink.port, { noReplyAddress: 'noreply@fleet-b.test' })];
    const rated = await appliedTenant(sink.port, { noReplyAddress: 'noreply@fleet-rated.test' });
    for (const tenant of plain)
      assert.equal((await papi('PATCH', `/api/v1/tenants/${tenant.slug}/pipeline`, { token: tenant.tam.token, body: { maxConnections: 5 } })).status, 200);
    assert.equal((await papi('PATCH', `/api/v1/tenants/${rated.slug}/pipeline`, { token: rated.tam.token, body: { maxConnections: 2, ratePerMinute: RATE } })).status, 200);

    const ports = [await freePort(), await freePort()];
    const webs = ports.map(startWeb);
    const workers = [startWorker(), startWorker()];
    const started = Date.now();
    for (const port of ports) {
      await waitFor(
        `web :${port} ready`,
        () =>
          new Promise<boolean>((resolve) =>
            http.get({ host: '127.0.0.1', port, path: '/api/health' }, (res) => (res.resume(), resolve(res.statusCode === 200))).on('error', () => resolve(false)),
          ),
        90_000,
      );
    }

    // The work: [tenant, keys] calls; most in batches of 500 or 100, 1,000 singles; every 50th call repeats
    // keys of an earlier one. Every call goes to the next web process; one that fails goes to the other
    // (the same keys: nothing twice).
    const calls: Array<{ tenant: AppliedTenant; keys: string[] }> = [];
    let n = 0;
    const take = (tenant: AppliedTenant, size: number) => {
      calls.push({ tenant, keys: Array.from({ length: size }, () => `k${n++}`) });
    };
    for (let i = 0; i < RATED / 40; i++) take(rated, 40);
    for (let i = 0; i < 1_000; i++) take(plain[i % 2]!, 1);
    while (n < TOTAL) take(plain[calls.length % 2]!, Math.min(TOTAL - n, calls.length % 3 === 0 ? 100 : 500));
    const accepted = new Map<string, Item>();
    let retriedCalls = 0;
    let repeats = 0;
    let webDown: number | null = null;
    const send = async (index: number) => {
      const call = calls[index]!;
      const body = call.keys.length === 1 ? note(call.keys[0]!) : { notifications: call.keys.map(note) };
      for (let attempt = 0; ; attempt++) {
        const port = ports[(index + attempt) % 2]!;
        try {
          const res = await post(port, call.tenant, body);
          if (res.status === 503 || res.status >= 500) throw new Error(`HTTP ${res.status}`);
          assert.ok(res.status === 202 || res.status === 200, `intake answered ${res.status} ${JSON.stringify(res.body)}`);
          const items = res.body.items ?? [res.body as Item];
          call.keys.forEach((key, i) => {
            const known = accepted.get(key);
            if (known) assert.deepEqual(items[i], known, 'a repeated key answers the original notification');
            else accepted.set(key, items[i]!);
          });
          return;
        } catch (error) {
          if (attempt > 20) throw error;
          retriedCalls += 1;
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    };
    let next = 0;
    const killAt = Math.floor(calls.length / 2);
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < calls.length) {
          const index = next++;
          if (index === killAt) {
            // Mid-run: one worker and one web process die without warning, and come back.
            webDown = 1;
            await Promise.all([killed(workers[0]!), killed(webs[1]!)]);
            workers[0] = startWorker();
            webs[1] = startWeb(ports[1]!);
            void waitFor(
              'web restarted',
              () =>
                new Promise<boolean>((resolve) =>
                  http.get({ host: '127.0.0.1', port: ports[1]!, path: '/api/health' }, (res) => (res.resume(), resolve(res.statusCode === 200))).on('error', () => resolve(false)),
                ),
              90_000,
            ).then(() => (webDown = null));
          }
          await send(index);
          if (index % 50 === 49) {
            repeats += 1;
            await send(index - 7);
          }
        }
      }),
    );
    assert.equal(accepted.size, TOTAL, 'every key was accepted once');

    const ids = new Set([...accepted.values()].map((a) => a.messageId));
    await waitFor('every notification delivered', async () => (await db.notification.count({ where: { canary: false, status: 'delivered' } })) === TOTAL, 600_000);
    assert.equal(await db.notification.count({ where: { canary: false } }), TOTAL, 'no key stored twice, whichever web process took the call');

    const copies = new Map<string, number>();
    for (const m of sink.received) if (m.at >= started && ids.has(m.messageId)) copies.set(m.messageId, (copies.get(m.messageId) ?? 0) + 1);
    const strangers = sink.received.filter((m) => m.at >= started && m.raw.includes('Subject: Fleet') && !ids.has(m.messageId));
    assert.equal(strangers.length, 0, 'every copy carries a Message-ID given at enqueue');
    for (const id of ids) assert.ok(copies.has(id), `${id} arrived`);
    const redelivered = [...copies.values()].filter((c) => c > 1).length;
    t.diagnostic(
      `${TOTAL} delivered; ${redelivered} redelivered at least once with their Message-ID (the killed worker's unfinished sends); ${retriedCalls} calls retried on the other web process; ${repeats} repeated calls; ${Math.round((Date.now() - started) / 1000)} s`,
    );
    console.log(`fleet: ${redelivered} at-least-once redeliveries, ${retriedCalls} retried calls, ${repeats} repeats`);

    const perMinute = new Map<number, number>();
    for (const m of sink.received)
      if (m.at >= started && m.mailFrom === 'noreply@fleet-rated.test' && ids.has(m.messageId))
        perMinute.set(Math.floor(m.at / 60_000), (perMinute.get(Math.floor(m.at / 60_000)) ?? 0) + 1);
    assert.ok(
      [...perMinute.values()].every((c) => c <= RATE),
      `rated tenant per minute: ${JSON.stringify([...perMinute.values()])} (limit ${RATE})`,
    );

    await Promise.all(
      [...workers, ...webs].map(
        (c) => new Promise<void>((resolve) => (c.exitCode !== null || c.signalCode !== null ? resolve() : (c.once('exit', () => resolve()), c.kill('SIGTERM')))),
      ),
    );
    agent.destroy();
    const chain = await verifyChain();
    assert.equal(chain.ok, true, JSON.stringify(chain));
    assert.equal(webDown, null);
  },
);
