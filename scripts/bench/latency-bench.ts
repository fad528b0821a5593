// Enqueue → accepted by the SMTP server, through what a hosting service goes through: the production
// server (`next start`, the `next build` output; built first if missing) over HTTP from this process,
// delivered by the real worker process (scripts/worker.ts) to a local smtp-server sink in this process.
// Idle: paced single notifications, each timed from the POST to the sink's accept. Loaded: the same while
// another tenant's batches flow at LATENCY_BENCH_LOAD (default 1,000) messages a second. Baseline: the
// SMTP server's own accept time, a bare pooled nodemailer sendMail → 250 to the same sink. Both databases.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import nodemailer from 'nodemailer';
import { SMTPServer } from 'smtp-server';
import { row, type Bench, type BenchRow } from './bench-types';
import { freshDatabase } from './fresh-database';

const SAMPLES = Number(process.env.LATENCY_BENCH_N ?? 200);
const LOAD = Number(process.env.LATENCY_BENCH_LOAD ?? 1_000);
// Batches of the load waiting for their answer at most (50 messages each).
const LOAD_IN_FLIGHT = Number(process.env.LATENCY_BENCH_LOAD_IN_FLIGHT ?? 4);
const PG_ADMIN_URL = process.env.PIPELINE_BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SELF = fileURLToPath(import.meta.url);
const now = () => performance.now() + performance.timeOrigin;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((p / 100) * values.length))] ?? 0;

type Sink = { port: number; accepted: Map<string, number>; close: () => Promise<void> };

async function startSink(): Promise<Sink> {
  const accepted = new Map<string, number>();
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    closeTimeout: 200,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 4096) head += chunk.toString('utf8');
      });
      stream.on('end', () => {
        const id = /^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1];
        if (id) accepted.set(id, now());
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.server.address() as net.AddressInfo).port, accepted, close: () => new Promise((r) => server.close(() => r())) };
}

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

type Seeded = { tenants: Array<{ slug: string; token: string }> };

/** Child: migrates the database and makes two tenants (latency, load) pointed at the sink. */
async function seed(sinkPort: number): Promise<Seeded> {
  const { migrateDatabase } = await import('@/server/db-migrate');
  await migrateDatabase(process.env.DATABASE_URL!);
  const { db } = await import('@/server/db');
  const { SYSTEM_ACTOR } = await import('@/server/audit/record-event');
  const { createTenant } = await import('@/server/admin/manage-tenants');
  const { createConfigVersion } = await import('@/server/config-versions/create-config-version');
  const { createPipelineTokenForTenant } = await import('@/server/pipeline/pipeline-tokens');
  const actor = { ...SYSTEM_ACTOR, label: 'bench' };
  const tenants = [];
  for (const [name, connections] of [
    ['latency', 2],
    ['load', 10],
  ] as const) {
    const slug = `${name}-${randomBytes(3).toString('hex')}`;
    const tenant = await createTenant(actor, { slug, name });
    const content = {
      host: '127.0.0.1',
      port: sinkPort,
      encryption: 'none',
      authMethod: 'none',
      username: '',
      heloDomain: 'bench.relaydesk.local',
      noReplyAddress: `noreply@${name}.example`,
      noReplyName: 'Bench',
      supportContact: 'https://support.bench.example',
      testRecipient: 'ops@bench.example',
    } as const;
    await db.$transaction((tx) =>
      createConfigVersion(tx, { tenantId: tenant.id, content, secrets: {}, fingerprint: 'sha256:bench', source: 'apply', requestId: null, appliedById: null, copiedFrom: null }),
    );
    await db.tenantPipeline.update({ where: { tenantId: tenant.id }, data: { maxConnections: connections } });
    tenants.push({ slug, token: (await createPipelineTokenForTenant(actor, slug)).token });
  }
  await db.$disconnect();
  return { tenants };
}

function spawnLogged(args: string[], env: NodeJS.ProcessEnv, what: string): ChildProcess {
  const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-4000)));
  child.stderr?.on('data', (c: Buffer) => (out = (out + c.toString()).slice(-4000)));
  child.on('exit', (code, signal) => {
    if (code && code !== 143 && signal !== 'SIGTERM' && signal !== 'SIGKILL') console.error(`  ${what} exited ${code}\n${out}`);
  });
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  return child;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

type Answer = { status: number; body: { id?: string; messageId?: string; items?: Array<{ messageId: string }> } };

/**
 * A keep-alive connection the server closed just as it was reused is tried again (at worst one more
 * message in a bench). No idempotency keys here: on SQLite an intake with keys reads before it writes,
 * and a worker's commit in between fails it with SQLITE_BUSY (reported in issue 13's notes).
 */
async function post(port: number, tenant: { slug: string; token: string }, body: unknown): Promise<Answer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await postOnce(port, tenant, body);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ECONNRESET' || attempt === 3) throw error;
    }
  }
}

function postOnce(port: number, tenant: { slug: string; token: string }, body: unknown): Promise<Answer> {
  const data = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: `/api/v1/tenants/${tenant.slug}/notifications`,
        method: 'POST',
        agent,
        headers: { authorization: `Bearer ${tenant.token}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) },
      },
      (res) => {
        let text = '';
        res.on('data', (c: Buffer) => (text += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} }));
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

const note = (i: number) => ({ to: [`user${i % 97}@customer.example`], subject: `Latency ${i}`, text: `Someone mentioned you in issue #${i}.`, kind: 'mention' });

async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(1);
  }
}

/** Paced single notifications, POST → accepted at the sink. */
async function measure(port: number, tenant: { slug: string; token: string }, sink: Sink, from: number, budgetMs = 60_000): Promise<number[]> {
  const samples: number[] = [];
  const until = now() + budgetMs;
  // At most SAMPLES, and no longer than the budget: an overloaded run reports what it measured.
  for (let i = 0; i < SAMPLES && now() < until; i++) {
    const t0 = now();
    const res = await post(port, tenant, note(from + i));
    if (res.status !== 202 || !res.body.messageId) throw new Error(`intake answered ${res.status}`);
    const id = res.body.messageId;
    await waitUntil(() => sink.accepted.has(id), 30_000, 'a paced notification');
    samples.push(sink.accepted.get(id)! - t0);
    await sleep(5);
  }
  return samples;
}

/**
 * Batches of 50 paced at LOAD messages a second until stopped, with at most LOAD_IN_FLIGHT batches waiting
 * for their answer: a tick that finds them all still out is skipped, not queued, so a server slower than
 * the offered rate is measured at the rate it accepts (reported), not behind a growing queue of requests.
 * Returns the rate the intake accepted (202 answers) over the time the load ran.
 */
function startLoad(port: number, tenant: { slug: string; token: string }) {
  let running = true;
  let offered = 0;
  let accepted = 0;
  let skipped = 0;
  const started = now();
  const done = (async () => {
    const batch = 50;
    const everyMs = (1000 * batch) / LOAD;
    let next = now();
    const inFlight = new Set<Promise<unknown>>();
    while (running) {
      if (inFlight.size < LOAD_IN_FLIGHT) {
        const from = offered;
        offered += batch;
        const p = post(port, tenant, { notifications: Array.from({ length: batch }, (_, i) => ({ ...note(from + i), subject: `Load ${from + i}` })) }).then((r) => {
          if (r.status !== 202) throw new Error(`batch intake answered ${r.status}`);
          accepted += batch;
        });
        inFlight.add(p);
        void p.finally(() => inFlight.delete(p));
      } else skipped += batch;
      next += everyMs;
      await sleep(Math.max(0, next - now()));
    }
    await Promise.all(inFlight);
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      const seconds = (now() - started) / 1000;
      return { accepted: accepted / seconds, offered: (offered + skipped) / seconds };
    },
  };
}

/** The SMTP server's own accept time: bare pooled nodemailer sendMail → 250, paced like the samples. */
async function bareAccept(sinkPort: number): Promise<number[]> {
  const { connectTo } = await import('@/server/pipeline/tenant-transports');
  // As many messages per connection as the pipeline's pools (1,000; nodemailer's default 100 would reconnect twice in a run).
  const bare = nodemailer.createTransport({ pool: true, maxConnections: 2, maxMessages: 1000, host: '127.0.0.1', port: sinkPort, secure: false, ignoreTLS: true });
  // TCP_NODELAY sockets like the pipeline's: without them every message waits ~40 ms on a delayed ACK.
  (bare as unknown as { getSocket: unknown }).getSocket = connectTo('127.0.0.1', sinkPort, 10_000);
  const samples: number[] = [];
  // Warmed up like the measured side: the first connections and the first messages are not timed.
  for (let i = -20; i < SAMPLES; i++) {
    const t0 = now();
    await bare.sendMail({
      from: 'noreply@bare.example',
      to: 'user@customer.example',
      subject: `Bare ${i}`,
      text: 'x',
      messageId: `<bare-${i}-${randomBytes(4).toString('hex')}@bench.example>`,
    });
    if (i >= 0) samples.push(now() - t0);
    await sleep(5);
  }
  bare.close();
  return samples;
}

async function runOn(kind: 'sqlite' | 'postgres', url: string): Promise<BenchRow[]> {
  const sink = await startSink();
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-latency-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: url,
    RELAYDESK_DEMO: '0',
    RELAYDESK_DATA_DIR: dataDir,
    RELAYDESK_SECRET_KEYS: `bench:${Buffer.alloc(32, 9).toString('base64')}`,
    AUTH_SECRET: randomBytes(24).toString('hex'),
    RELAYDESK_AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    SMTP_ALLOWED_HOSTS: `127.0.0.1:${sink.port}`,
    SMTP_ALLOWED_PORTS: String(sink.port),
    NODE_ENV: 'production',
  };
  const seeded = await runSelf<Seeded>(['--conditions=react-server', '--import', 'tsx', SELF, '--seed', String(sink.port)], env);
  const port = await freePort();
  const web = spawnLogged([path.join('node_modules', 'next', 'dist', 'bin', 'next'), 'start', '-p', String(port), '-H', '127.0.0.1'], env, 'next start');
  // The worker with its defaults: a tenant's lane holds at most 200 rows, so the load cannot crowd the latency tenant out.
  const worker = spawnLogged(['--conditions=react-server', '--import', 'tsx', 'scripts/worker.ts'], env, 'worker');
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const ok = await new Promise<boolean>((resolve) =>
        http.get({ host: '127.0.0.1', port, path: '/api/health', agent }, (res) => (res.resume(), resolve(res.statusCode === 200))).on('error', () => resolve(false)),
      );
      if (ok) break;
      if (Date.now() > deadline) throw new Error('the production server did not become ready');
      await sleep(200);
    }
    const [latencyTenant, loadTenant] = seeded.tenants as [Seeded['tenants'][0], Seeded['tenants'][0]];
    await measure(port, latencyTenant, sink, 1_000_000); // warm-up: first connections, compiled routes
    console.error(`  ${kind}: warmed up`);
    const idle = await measure(port, latencyTenant, sink, 0);
    console.error(`  ${kind}: idle p50 ${percentile(idle, 50).toFixed(1)} ms, p99 ${percentile(idle, 99).toFixed(1)} ms (${idle.length} samples)`);
    const load = startLoad(port, loadTenant);
    await sleep(1_000);
    const deliveredBefore = sink.accepted.size;
    const loadedFrom = now();
    const loaded = await measure(port, latencyTenant, sink, 10_000);
    const delivered = (sink.accepted.size - deliveredBefore - loaded.length) / ((now() - loadedFrom) / 1000);
    const { accepted: achieved, offered } = await load.stop();
    console.error(`  ${kind}: loaded p50 ${percentile(loaded, 50).toFixed(1)} ms, p99 ${percentile(loaded, 99).toFixed(1)} ms (${loaded.length} samples)`);
    const bare = await bareAccept(sink.port);
    console.error(`  ${kind}: load offered ${Math.round(offered)} msg/s, accepted by the intake ${Math.round(achieved)} msg/s, delivered ${Math.round(delivered)} msg/s`);
    const label = (what: string) => `latency ${kind}: ${what}`;
    return [
      row(label('idle enqueue→accepted p50 vs SMTP accept p50'), 'ms', percentile(idle, 50), percentile(bare, 50), { valueUnder: 30 }),
      row(label('idle enqueue→accepted p99 vs SMTP accept p99'), 'ms', percentile(idle, 99), percentile(bare, 99), { valueUnder: 150 }),
      row(label('load accepted by the intake vs offered'), 'msg/s', achieved, LOAD, { ratioAtLeast: 0.95 }),
      row(label('load delivered to the sink while the samples ran vs offered'), 'msg/s', delivered, LOAD, { ratioAtLeast: 0.9 }),
      row(
        label(`enqueue→accepted p99 while ${Math.round(achieved)} msg/s are accepted (${Math.round(delivered)} delivered) vs SMTP accept p99`),
        'ms',
        percentile(loaded, 99),
        percentile(bare, 99),
        { valueUnder: 500 },
      ),
    ];
  } finally {
    worker.kill('SIGTERM');
    web.kill('SIGTERM');
    await Promise.all([worker, web].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
    await sink.close();
    agent.destroy();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const RESULT = 'RESULT ';
function runSelf<T>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT));
      if (code === 0 && line) resolve(JSON.parse(line.slice(RESULT.length)) as T);
      else reject(new Error(`latency bench child failed (exit ${code})\n${out}`));
    });
  });
}

export async function latencyBench(): Promise<BenchRow[]> {
  if (!existsSync('.next/BUILD_ID')) {
    console.error('\n  (no production build: running next build once)');
    await new Promise<void>((resolve, reject) =>
      spawn(process.execPath, [path.join('node_modules', 'next', 'dist', 'bin', 'next'), 'build'], { stdio: 'inherit' }).on('exit', (code) =>
        code === 0 ? resolve() : reject(new Error(`next build failed (${code})`)),
      ),
    );
  }
  const kinds = (process.env.LATENCY_BENCH_DATABASES ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>;
  const rows: BenchRow[] = [];
  for (const kind of kinds) {
    const database = await freshDatabase(kind, PG_ADMIN_URL, 'relaydesk_latency');
    if (!database) continue;
    try {
      rows.push(...(await runOn(kind, database.url)));
    } finally {
      await database.drop();
    }
  }
  return rows;
}

export const latencyBenchEntry: Bench = { name: 'enqueue → accepted through the production server (SQLite, PostgreSQL)', run: latencyBench };

if (process.argv[2] === '--seed') {
  seed(Number(process.argv[3]))
    .then((result) => {
      console.log(`${RESULT}${JSON.stringify(result)}`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    });
} else if (process.argv[1] === SELF) {
  latencyBench().then((rows) => console.table(rows.map(({ target: _t, ...r }) => r)));
}
