// The notification pipeline, end to end, on SQLite and on PostgreSQL: N notifications through the intake
// route handler (in-process, as the HTTP server calls it), delivered by the real worker process
// (scripts/worker.ts) to a local smtp-server sink, next to a bare pooled nodemailer transport sending the
// same messages to the same sink with the same number of connections, in the same run.
//
// Phases per database (each in its own child process, since the Prisma client is chosen at import):
//   1. ingest: N notifications through POST /api/v1/tenants/{slug}/notifications (worker not running);
//   2. rounds (PIPELINE_BENCH_ROUNDS, default 3), alternating: the worker process delivers the next
//      N/rounds of the backlog, then a bare pooled nodemailer, in its own process like the worker, sends
//      as many → the median messages/s of each; the worker's peak RSS (VmHWM);
//   3. latency: with the worker running, paced notifications → enqueue-to-accepted p50/p99, next to the
//      bare sender's sendMail → 250 at the same pace.
// N: PIPELINE_BENCH_N (default 20,000, as the issue asks; about 1.5 minutes per database).
// PIPELINE_BENCH_WORKER_FLAGS / PIPELINE_BENCH_BARE_FLAGS: extra node flags for those processes
// (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import nodemailer from 'nodemailer';
import { median, row, type Bench, type BenchRow } from './bench-types';
import { freshDatabase } from './fresh-database';

const N = Number(process.env.PIPELINE_BENCH_N ?? 20_000);
const LATENCY_SAMPLES = Number(process.env.PIPELINE_BENCH_LATENCY_N ?? 300);
const ROUNDS = Number(process.env.PIPELINE_BENCH_ROUNDS ?? 3);
const CONNECTIONS = 5;
const INGEST_CONCURRENCY = 8;
const PG_ADMIN_URL = process.env.PIPELINE_BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SELF = fileURLToPath(import.meta.url);

type Sink = { port: number; accepted: Map<string, number>; count: () => number; close: () => Promise<void> };

async function startSink(): Promise<Sink> {
  const accepted = new Map<string, number>();
  let count = 0;
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    size: 10 * 1024 * 1024,
    closeTimeout: 200,
    onData(stream, _session, callback) {
      let head = '';
      stream.on('data', (chunk: Buffer) => {
        if (head.length < 4096) head += chunk.toString('utf8');
      });
      stream.on('end', () => {
        count += 1;
        const id = /^Message-ID:\s*(<[^>]+>)/im.exec(head)?.[1];
        if (id) accepted.set(id, performance.now() + performance.timeOrigin);
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { port: address.port, accepted, count: () => count, close: () => new Promise((r) => server.close(() => r())) };
}

const now = () => performance.now() + performance.timeOrigin;
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await sleep(10);
  }
}

/** Runs n tasks with at most `concurrency` at a time. */
async function pool(n: number, concurrency: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) await task(next++);
    }),
  );
}

function message(i: number) {
  return {
    to: [`user${i % 97}@customer.example`],
    subject: `Bench notification ${i}`,
    text: `Someone mentioned you in issue #${i}.\n\nView it on the web.`,
    kind: 'mention' as const,
    threadId: `issue-${i % 500}`,
  };
}

/** One database, in this process (DATABASE_URL set by the parent before anything imported server/db). */
async function runOnThisDatabase(kind: string): Promise<BenchRow[]> {
  const sink = await startSink();
  process.env.SMTP_ALLOWED_HOSTS = `127.0.0.1:${sink.port}`;
  process.env.RELAYDESK_SECRET_KEYS ??= `bench:${Buffer.alloc(32, 9).toString('base64')}`;
  const { migrateDatabase } = await import('@/server/db-migrate');
  await migrateDatabase(process.env.DATABASE_URL!);
  const { db } = await import('@/server/db');
  const { SYSTEM_ACTOR } = await import('@/server/audit/record-event');
  const { createTenant } = await import('@/server/admin/manage-tenants');
  const { createConfigVersion } = await import('@/server/config-versions/create-config-version');
  const { createPipelineTokenForTenant } = await import('@/server/pipeline/pipeline-tokens');
  const route = await import('@/app/api/v1/tenants/[slug]/notifications/route');
  const actor = { ...SYSTEM_ACTOR, label: 'bench' };

  const slug = `bench-${randomBytes(3).toString('hex')}`;
  const tenant = await createTenant(actor, { slug, name: 'Bench' });
  const content = {
    host: '127.0.0.1',
    port: sink.port,
    encryption: 'none',
    authMethod: 'none',
    username: '',
    heloDomain: 'bench.relaydesk.local',
    noReplyAddress: 'noreply@bench.example',
    noReplyName: 'Bench',
    supportContact: 'https://support.bench.example',
    testRecipient: 'ops@bench.example',
  } as const;
  await db.$transaction((tx) =>
    createConfigVersion(tx, { tenantId: tenant.id, content, secrets: {}, fingerprint: 'sha256:bench', source: 'apply', requestId: null, appliedById: null, copiedFrom: null }),
  );
  await db.tenantPipeline.update({ where: { tenantId: tenant.id }, data: { maxConnections: CONNECTIONS } });
  const { token } = await createPipelineTokenForTenant(actor, slug);

  const post = async (i: number) => {
    const res = await route.POST(
      new Request(`http://relaydesk.bench/api/v1/tenants/${slug}/notifications`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(message(i)),
      }),
      { params: Promise.resolve({ slug }) },
    );
    if (res.status !== 202) throw new Error(`intake answered ${res.status}: ${await res.text()}`);
    return (await res.json()) as { id: string; messageId: string };
  };

  // 1. Ingest through the API route (no worker yet).
  const ingestStart = now();
  await pool(N, INGEST_CONCURRENCY, async (i) => void (await post(i)));
  const ingestRate = N / ((now() - ingestStart) / 1000);

  // 2. Alternating rounds on the same sink: the worker delivers the next N/ROUNDS of the backlog (the
  // first round from the whole backlog), then the bare sender sends as many. The medians are compared,
  // so a noisy moment on a shared machine moves one round, not the result.
  const config = { tenantId: tenant.id, version: 1, ...content };
  const perRound = Math.ceil(N / ROUNDS);
  const workerRates: number[] = [];
  const bareRates: number[] = [];
  let peakKb = 0;
  let startedKb = 0;
  let worker: Worker | null = null;
  let deliveredByWorker = 0;
  for (let round = 0; round < ROUNDS; round++) {
    const last = round === ROUNDS - 1;
    // A stopped worker finishes what it has in flight, so a round may deliver a little more than asked.
    const target = last ? N - deliveredByWorker : perRound;
    worker = startWorker();
    const before = sink.count();
    let firstAccepted = 0;
    await waitUntil(
      () => {
        if (!firstAccepted && sink.count() > before) {
          firstAccepted = now();
          if (round === 0) startedKb = worker!.rssKb();
        }
        return sink.count() - before >= target;
      },
      600_000,
      'the worker delivering the backlog',
    );
    workerRates.push(target / ((now() - firstAccepted) / 1000));
    peakKb = Math.max(peakKb, worker.peakKb());
    if (!last) await worker.stop();
    deliveredByWorker += sink.count() - before;
    bareRates.push((await runBare(config, target, 0)).rate);
  }
  await waitUntil(async () => (await db.notification.count({ where: { tenantId: tenant.id, status: { not: 'delivered' } } })) === 0, 60_000, 'delivered rows recorded');

  // 3. Latency, the worker running: paced notifications, enqueue (API call) → accepted by the sink.
  const latency: number[] = [];
  for (let i = 0; i < LATENCY_SAMPLES; i++) {
    const t0 = now();
    const { messageId } = await post(N + i);
    await waitUntil(() => sink.accepted.has(messageId), 30_000, 'a paced notification');
    latency.push(sink.accepted.get(messageId)! - t0);
  }
  peakKb = Math.max(peakKb, worker!.peakKb());
  await worker!.stop();
  const { latency: bareLatency } = await runBare(config, 0, LATENCY_SAMPLES);
  await sink.close();
  await db.$disconnect();

  const deliverRate = median(workerRates);
  const bareRate = median(bareRates);
  console.error(`  ${kind}: worker rounds ${workerRates.map(Math.round).join(', ')} msg/s; bare rounds ${bareRates.map(Math.round).join(', ')} msg/s`);
  const label = (what: string) => `pipeline ${kind} N=${N}: ${what}`;
  return [
    row(label('delivered messages/s (worker) vs bare pooled nodemailer'), 'msg/s', deliverRate, bareRate, { ratioAtLeast: 0.8 }),
    row(label('ingest via API messages/s vs bare pooled send'), 'msg/s', ingestRate, bareRate),
    row(label('enqueue→accepted p50 vs bare sendMail p50'), 'ms', percentile(latency, 50), percentile(bareLatency, 50)),
    row(label('enqueue→accepted p99 vs bare sendMail p99'), 'ms', percentile(latency, 99), percentile(bareLatency, 99)),
    row(label('worker peak RSS (VmHWM) vs RSS at its first delivery'), 'MB', peakKb / 1024, (startedKb || peakKb) / 1024),
  ];
}

type Worker = { rssKb: () => number; peakKb: () => number; stop: () => Promise<void> };

/** The real worker process (scripts/worker.ts), with its memory sampled from /proc. */
function startWorker(): Worker {
  const child = spawn(
    process.execPath,
    [...(process.env.PIPELINE_BENCH_WORKER_FLAGS ?? '').split(' ').filter(Boolean), '--conditions=react-server', '--import', 'tsx', 'scripts/worker.ts'],
    {
      env: { ...process.env, PIPELINE_BATCH: '500', PIPELINE_TENANT_BACKLOG: '1000' },
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  const exited = new Promise((r) => child.once('exit', r));
  // A bench that fails half-way must not leave a worker polling the machine it measures.
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  let peakKb = 0;
  let rssKb = 0;
  const sampler = setInterval(() => {
    try {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      peakKb = Math.max(peakKb, Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0));
      rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // not started yet, or gone
    }
  }, 25);
  return {
    rssKb: () => rssKb,
    peakKb: () => peakKb,
    stop: async () => {
      process.off('exit', orphan);
      clearInterval(sampler);
      child.kill('SIGTERM');
      await exited;
    },
  };
}

type BareConfig = { tenantId: string; version: number; port: number; heloDomain: string; noReplyAddress: string; noReplyName: string; supportContact: string };

/**
 * The baseline: a bare pooled nodemailer transport with the same connections, the same composed messages
 * and the same TCP_NODELAY sockets the pipeline uses (without them both sides wait ~40 ms on delayed
 * ACKs). After `warmup` untimed messages (its connections open and its code compiled, as a long-running
 * worker's are), sends `count` messages as fast as the pool takes them, then `samples` paced ones, each
 * timed from sendMail to the server's 250.
 */
async function bareSend(config: BareConfig, count: number, samples: number, warmup = 0): Promise<{ rate: number; latency: number[]; cpuMs: number }> {
  const { composeNotification } = await import('@/server/pipeline/compose-notification');
  const { connectTo } = await import('@/server/pipeline/tenant-transports');
  const bare = nodemailer.createTransport({
    pool: true,
    maxConnections: CONNECTIONS,
    maxMessages: 1000,
    host: '127.0.0.1',
    port: config.port,
    secure: false,
    ignoreTLS: true,
    name: config.heloDomain,
  });
  (bare as unknown as { getSocket: unknown }).getSocket = connectTo('127.0.0.1', config.port, 10_000);
  const compose = (i: number, tag: string) =>
    composeNotification(
      {
        id: `${tag}${i}`,
        tenantId: config.tenantId,
        messageId: `<${tag}-${i}-${randomBytes(4).toString('hex')}@bench.example>`,
        kind: 'mention',
        subject: message(i).subject,
        text: message(i).text,
        html: null,
        recipients: JSON.stringify(message(i).to),
        threadId: message(i).threadId,
        canary: false,
        createdAt: new Date(),
      },
      config,
    );
  await pool(warmup, CONNECTIONS * 4, async (i) => void (await bare.sendMail(compose(i, 'barewarm'))));
  const start = now();
  const cpuBefore = process.cpuUsage();
  await pool(count, CONNECTIONS * 4, async (i) => void (await bare.sendMail(compose(i, 'bare'))));
  const rate = count / ((now() - start) / 1000);
  const cpu = process.cpuUsage(cpuBefore);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const latency: number[] = [];
  for (let i = 0; i < samples; i++) {
    const m = compose(i, 'barelat');
    const t0 = now();
    await bare.sendMail(m);
    latency.push(now() - t0);
    await sleep(2);
  }
  bare.close();
  return { rate, latency, cpuMs };
}

function runBare(config: BareConfig, count: number, samples: number): Promise<{ rate: number; latency: number[]; cpuMs: number }> {
  const flags = (process.env.PIPELINE_BENCH_BARE_FLAGS ?? '').split(' ').filter(Boolean);
  return runSelf([...flags, '--conditions=react-server', '--import', 'tsx', SELF, '--bare', JSON.stringify({ config, count, samples })], process.env, 'the bare nodemailer sender');
}

// This file runs itself in child processes (--child: one database; --bare: the baseline sender). A child
// prints its answer as one line RESULT <json> on stdout; anything else there is shown if it fails.
const RESULT = 'RESULT ';

function runSelf<T>(args: string[], env: NodeJS.ProcessEnv, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT));
      if (code === 0 && line) resolve(JSON.parse(line.slice(RESULT.length)) as T);
      else reject(new Error(`${what} failed (exit ${code})\n${out}`));
    });
  });
}

/** The child's side of runSelf: prints the answer, or the error and exit code 1. */
function answer(work: Promise<unknown>): void {
  work
    .then((result) => {
      console.log(`${RESULT}${JSON.stringify(result)}`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : error);
      process.exit(1);
    });
}

function runChild(kind: string, url: string): Promise<BenchRow[]> {
  return runSelf(['--conditions=react-server', '--import', 'tsx', SELF, '--child', kind], { ...process.env, DATABASE_URL: url, RELAYDESK_DEMO: '0' }, `pipeline bench on ${kind}`);
}

export async function pipelineBench(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const kind of ['sqlite', 'postgres'] as const) {
    const database = await freshDatabase(kind, PG_ADMIN_URL, 'relaydesk_bench');
    if (!database) continue;
    try {
      rows.push(...(await runChild(kind, database.url)));
    } finally {
      await database.drop();
    }
  }
  return rows;
}

/** For scripts/bench/run.ts BENCHES. The target: delivered messages/s at least 0.8 × bare. */
export const pipelineBenchEntry: Bench = { name: 'notification pipeline (SQLite, PostgreSQL)', run: pipelineBench };

if (process.argv[2] === '--bare') {
  const { config, count, samples, warmup } = JSON.parse(process.argv[3]!) as { config: BareConfig; count: number; samples: number; warmup?: number };
  answer(bareSend(config, count, samples, warmup));
} else if (process.argv[2] === '--child') {
  answer(runOnThisDatabase(process.argv[3] ?? 'sqlite'));
} else if (process.argv[1] === SELF) {
  pipelineBench().then((rows) => console.table(rows));
}
