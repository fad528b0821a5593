// The way in, over real HTTP, on the production server (`next start` from the last `npm run build`),
// on SQLite and on PostgreSQL: 50 concurrent keep-alive callers post one notification per call, next to
// the same callers asking GET /api/health (the trivial route) in the same run, and a bearer-authenticated
// GET (a tenant's smtp-config with a personal token) for what authentication costs every route.
//
// Processes: the server (next's own bin, NODE_ENV=production, RELAYDESK_DEMO=0); the callers in a process
// of their own (so their CPU is not the server's); the setup (migrate, tenant, applied configuration,
// tokens) in a third. INTAKE_BENCH_SECONDS (default 4) per measurement, after a 1 s warm-up; the three
// routes are measured in turn, INTAKE_BENCH_ROUNDS (default 3) times, and the medians compared, so a
// noisy moment on a shared machine moves one round, not the result. Beside the rates, the server's CPU
// time per request (from /proc), which other load on the machine does not move.
// INTAKE_BENCH_DATABASES: which of sqlite,postgres (default both).
// INTAKE_BENCH_SERVER_FLAGS, INTAKE_BENCH_WORKER_FLAGS, PIPELINE_BENCH_BARE_FLAGS: extra node flags for the server,
// the workers, the bare sender (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", to compare a worker's profile with the bare's).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { median, row, type Bench, type BenchRow } from './bench-types';
import { freshDatabase } from './fresh-database';

const SECONDS = Number(process.env.INTAKE_BENCH_SECONDS ?? 4);
const ROUNDS = Number(process.env.INTAKE_BENCH_ROUNDS ?? 3);
const CALLERS = 50;
// For profiling one route: INTAKE_BENCH_ROUTES=intake (rows of the routes left out then read NaN).
const ROUTES = (process.env.INTAKE_BENCH_ROUTES ?? 'health,intake,bearer').split(',');
const E2E_N = Number(process.env.INTAKE_BENCH_E2E_N ?? 20_000);
const E2E_ROUNDS = Number(process.env.INTAKE_BENCH_E2E_ROUNDS ?? 3);
// Untimed, before the rounds: through the API to the sink for the pipeline, in its own process for the
// bare sender (each side's code compiled and its connections open, as in a service that has been running).
const E2E_WARMUP = Number(process.env.INTAKE_BENCH_E2E_WARMUP ?? 2_000);
const BATCH = 500;
const BATCH_CALLERS = 4;
// As in the pipeline bench (and its bare sender): connections per tenant to the sink.
const SINK_CONNECTIONS = 5;
const PG_ADMIN_URL = process.env.INTAKE_BENCH_POSTGRES_URL ?? process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const SELF = fileURLToPath(import.meta.url);
const RESULT = 'RESULT ';

type Setup = { slug: string; pipelineToken: string; personalToken: string; live: { slug: string; tenantId: string; pipelineToken: string } };
type Load = { url: string; method: 'GET' | 'POST'; token?: string; body?: 'notification'; seconds: number; expect: number };

function runSelf<T>(args: string[], env: NodeJS.ProcessEnv, what: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', SELF, ...args], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT));
      if (code === 0 && line) resolve(JSON.parse(line.slice(RESULT.length)) as T);
      else reject(new Error(`${what} failed (exit ${code})\n${out}`));
    });
  });
}

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

/** Child: migrate, a tenant with an applied configuration, its pipeline token and its admin's personal token. */
async function setup(): Promise<Setup> {
  const { migrateDatabase } = await import('@/server/db-migrate');
  await migrateDatabase(process.env.DATABASE_URL!);
  const { db } = await import('@/server/db');
  const { SYSTEM_ACTOR } = await import('@/server/audit/record-event');
  const { createTenant, createUser } = await import('@/server/admin/manage-tenants');
  const { createConfigVersion } = await import('@/server/config-versions/create-config-version');
  const { createPipelineTokenForTenant } = await import('@/server/pipeline/pipeline-tokens');
  const { createToken } = await import('@/server/auth/tokens');
  const actor = { ...SYSTEM_ACTOR, label: 'bench' };
  const slug = `bench-${randomBytes(3).toString('hex')}`;
  const tenant = await createTenant(actor, { slug, name: 'Bench' });
  const content = {
    host: '127.0.0.1',
    port: 2525,
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
  // Paused: the bench measures the way in; no worker runs, and none may pick the rows up.
  await db.tenantPipeline.update({ where: { tenantId: tenant.id }, data: { paused: true, pausedReason: 'bench' } });
  const { token: pipelineToken } = await createPipelineTokenForTenant(actor, slug);
  const user = await createUser(actor, { email: `admin@${slug}.example`, name: 'Bench admin', password: randomBytes(12).toString('hex'), role: 'customer-admin', tenant: slug });
  const { token: personalToken } = await createToken(user.id, 'bench', actor);
  // A second tenant, delivering to the sink, for the end-to-end batches.
  const liveSlug = `${slug}-live`;
  const live = await createTenant(actor, { slug: liveSlug, name: 'Bench live' });
  const liveContent = { ...content, port: Number(process.env.INTAKE_BENCH_SINK_PORT) };
  await db.$transaction((tx) =>
    createConfigVersion(tx, {
      tenantId: live.id,
      content: liveContent,
      secrets: {},
      fingerprint: 'sha256:bench-live',
      source: 'apply',
      requestId: null,
      appliedById: null,
      copiedFrom: null,
    }),
  );
  await db.tenantPipeline.update({ where: { tenantId: live.id }, data: { maxConnections: SINK_CONNECTIONS } });
  const { token: livePipelineToken } = await createPipelineTokenForTenant(actor, liveSlug);
  await db.$disconnect();
  return { slug, pipelineToken, personalToken, live: { slug: liveSlug, tenantId: live.id, pipelineToken: livePipelineToken } };
}

function notification(i: number): string {
  return JSON.stringify({
    to: [`user${i % 97}@customer.example`],
    subject: `Bench notification ${i}`,
    text: `Someone mentioned you in issue #${i}.\n\nView it on the web.`,
    kind: 'mention',
    threadId: `issue-${i % 500}`,
  });
}

type Batches = { url: string; token: string; n: number };

/** Child: n notifications in batches of BATCH, BATCH_CALLERS calls at a time, over keep-alive HTTP. */
async function postBatches({ url, token, n }: Batches): Promise<{ ms: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: BATCH_CALLERS });
  const target = new URL(url);
  const calls = Math.ceil(n / BATCH);
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: BATCH_CALLERS }, async () => {
      while (next < calls) {
        const call = next++;
        const items = Array.from({ length: Math.min(BATCH, n - call * BATCH) }, (_, k) => JSON.parse(notification(call * BATCH + k)) as unknown);
        const payload = Buffer.from(JSON.stringify({ notifications: items }));
        await new Promise<void>((resolve, reject) => {
          const req = http.request(
            {
              agent,
              host: target.hostname,
              port: target.port,
              path: target.pathname,
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'content-length': payload.length },
            },
            (res) => {
              let text = '';
              res.on('data', (c: Buffer) => (text += c.toString()));
              res.on('end', () => (res.statusCode === 202 ? resolve() : reject(new Error(`a batch answered ${res.statusCode}: ${text.slice(0, 300)}`))));
            },
          );
          req.on('error', reject);
          req.end(payload);
        });
      }
    }),
  );
  agent.destroy();
  return { ms: performance.now() - t0 };
}

/** Child: CALLERS keep-alive callers, each one request at a time; requests per second after a warm-up. */
async function load({ url, method, token, body, seconds, expect }: Load): Promise<{ rate: number; p50: number; p99: number; count: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: CALLERS });
  const target = new URL(url);
  let counter = 0;
  const once = () =>
    new Promise<number>((resolve, reject) => {
      const payload = body ? Buffer.from(notification(counter++)) : undefined;
      const req = http.request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method,
          headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
        },
        (res) => {
          res.resume();
          res.on('end', () =>
            res.statusCode === expect ? resolve(res.statusCode) : reject(new Error(`${method} ${target.pathname} answered ${res.statusCode}, expected ${expect}`)),
          );
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const warmUntil = Date.now() + 1000;
  const endAt = warmUntil + seconds * 1000;
  let done = 0;
  let total = 0;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: CALLERS }, async () => {
      while (Date.now() < endAt) {
        const t0 = performance.now();
        await once();
        total += 1;
        if (Date.now() > warmUntil && Date.now() <= endAt) {
          done += 1;
          latencies.push(performance.now() - t0);
        }
      }
    }),
  );
  agent.destroy();
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))] ?? 0;
  return { rate: done / seconds, p50: at(0.5), p99: at(0.99), count: total };
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((r) => server.close(r));
  return port;
}

type Server = { url: string; pid: number | undefined; cpuMs: () => number; stop: () => Promise<void> };

/** CPU time (user + system) the process has used so far, from /proc (Linux). */
function cpuMsOf(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}

async function startServer(env: NodeJS.ProcessEnv): Promise<Server> {
  const port = await freePort();
  const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
  const flags = (process.env.INTAKE_BENCH_SERVER_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, nextBin, 'start', '-p', String(port), '-H', '127.0.0.1'], {
    env: { ...env, NODE_ENV: 'production' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  child.stdout.resume();
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${url}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (child.exitCode !== null || Date.now() > deadline) throw new Error('the production server did not start');
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    url,
    pid: child.pid,
    cpuMs: () => cpuMsOf(child.pid),
    stop: async () => {
      process.off('exit', orphan);
      child.kill('SIGTERM');
      await exited;
    },
  };
}

type Sink = { port: number; count: () => number; lastAt: () => number; close: () => Promise<void> };

/**
 * A fast SMTP sink (smtp-server, no TLS, no AUTH) that counts what it accepts. Postfix's smtp-sink, the
 * sink issue 13 measured with, takes half its CPU (2.6–3.1 s against 5–7 s for 20,000) but gave the same
 * end-to-end ratio (0.69× against 0.70×, medians of three pairs): both sides share the sink.
 */
async function startSink(): Promise<Sink> {
  const { SMTPServer } = await import('smtp-server');
  let count = 0;
  let lastAt = 0;
  const server = new SMTPServer({
    logger: false,
    disableReverseLookup: true,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    closeTimeout: 200,
    onData(stream, _session, callback) {
      stream.resume();
      stream.on('end', () => {
        count += 1;
        lastAt = performance.now();
        callback();
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.server.address() as net.AddressInfo;
  return { port, count: () => count, lastAt: () => lastAt, close: () => new Promise((r) => server.close(() => r())) };
}

/** Resident memory of a process now and at its peak (VmRSS, VmHWM), in MB. */
function memoryOf(pid: number | undefined): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { rss: Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024, peak: Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

type Worker = { pid: number | undefined; stop: () => Promise<void> };

function startWorker(env: NodeJS.ProcessEnv): Worker {
  const flags = (process.env.INTAKE_BENCH_WORKER_FLAGS ?? '').split(' ').filter(Boolean);
  const child = spawn(process.execPath, [...flags, '--conditions=react-server', '--import', 'tsx', 'scripts/worker.ts'], {
    env: { ...env, PIPELINE_BATCH: '500', PIPELINE_TENANT_BACKLOG: '1000' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  const orphan = () => child.kill('SIGKILL');
  process.once('exit', orphan);
  return {
    pid: child.pid,
    stop: async () => {
      process.off('exit', orphan);
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/**
 * 20,000 notifications (INTAKE_BENCH_E2E_N) through the API in batches of 500 into the sink, delivered by
 * the real worker processes (one on SQLite, two on PostgreSQL), from the first call to the last message
 * the sink accepts; then a bare pooled nodemailer (TCP_NODELAY, its own process: the pipeline bench's
 * sender) sends as many of the same messages to the same sink. Both sides first deliver
 * INTAKE_BENCH_E2E_WARMUP (2,000) untimed. INTAKE_BENCH_E2E_ROUNDS (default 3) such pairs, back to back,
 * and the median of their ratios: this machine's speed moves by up to 2× between minutes, and a pair
 * measured a minute apart compares two machines. Memory: each process's peak.
 */
async function endToEnd(kind: 'sqlite' | 'postgres', env: NodeJS.ProcessEnv, server: Server, sink: Sink, live: Setup['live']): Promise<BenchRow[]> {
  const workers = Array.from({ length: kind === 'postgres' ? 2 : 1 }, () => startWorker(env));
  // Per process: RSS before the run, the peak so far, and the peak when half the messages of the first
  // round were delivered (a worker's memory flat in N: the rest of the run adds nothing to its peak).
  const sampled = new Map<string, { first: number; peak: number; peakAtHalf: number }>();
  let halfDelivered = false;
  const sample = () => {
    for (const [name, pid] of [['web', server.pid], ...workers.map((w, i) => [`worker ${i + 1}`, w.pid] as const)] as const) {
      const m = memoryOf(pid);
      const seen = sampled.get(name);
      if (!seen) sampled.set(name, { first: m.rss, peak: m.peak, peakAtHalf: 0 });
      else seen.peak = Math.max(seen.peak, m.peak);
      if (seen && halfDelivered && seen.peakAtHalf === 0) seen.peakAtHalf = seen.peak;
    }
  };
  const config = {
    tenantId: live.tenantId,
    version: 1,
    port: sink.port,
    heloDomain: 'bench.relaydesk.local',
    noReplyAddress: 'noreply@bench.example',
    noReplyName: 'Bench',
    supportContact: 'https://support.bench.example',
  };
  const post = (n: number) =>
    runSelf<{ ms: number }>(
      ['--batches', JSON.stringify({ url: `${server.url}/api/v1/tenants/${live.slug}/notifications`, token: live.pipelineToken, n } satisfies Batches)],
      process.env,
      'the batch poster',
    );
  const delivered = async (before: number, n: number, onProgress = () => {}) => {
    const deadline = Date.now() + 600_000;
    while (sink.count() - before < n) {
      if (Date.now() > deadline) throw new Error(`timed out: ${sink.count() - before} of ${n} delivered`);
      onProgress();
      await new Promise((res) => setTimeout(res, 20));
    }
  };
  const warmUp = async () => {
    if (E2E_WARMUP <= 0) return;
    const before = sink.count();
    await post(E2E_WARMUP);
    await delivered(before, E2E_WARMUP);
  };
  /** One pair: N through the API to the sink, then N from the bare sender. */
  const round = async (r: number) => {
    const before = sink.count();
    const cpuBefore = [server.pid, ...workers.map((w) => w.pid)].map(cpuMsOf);
    const ownBefore = process.cpuUsage();
    const t0 = performance.now();
    const posted = await post(E2E_N);
    await delivered(before, E2E_N, () => {
      if (!halfDelivered && sink.count() - before >= E2E_N / 2) {
        halfDelivered = true;
        sample();
      }
    });
    const rate = E2E_N / ((sink.lastAt() - t0) / 1000);
    // CPU seconds each process spent on the run (the sink is this process): where the two cores went.
    const own = process.cpuUsage(ownBefore);
    const cpu = [server.pid, ...workers.map((w) => w.pid)].map((pid, i) => (cpuMsOf(pid) - cpuBefore[i]!) / 1000);
    const cpuNote = `CPU s: web ${cpu[0]!.toFixed(1)}, ${cpu
      .slice(1)
      .map((c, i) => `worker ${i + 1} ${c.toFixed(1)}`)
      .join(', ')}, sink ${((own.user + own.system) / 1e6).toFixed(1)}`;
    const bare = await runPipelineBenchBare(env, config, E2E_N, E2E_WARMUP);
    console.error(
      `  ${kind} round ${r}: ${E2E_N} in batches of ${BATCH}: stored in ${(posted.ms / 1000).toFixed(1)} s, delivered ${Math.round(rate)}/s end to end; bare ${Math.round(bare.rate)}/s (sender CPU ${(bare.cpuMs / 1000).toFixed(1)} s); ${cpuNote}; peak RSS MB so far: ${[...sampled].map(([name, m]) => `${name} ${Math.round(m.peak)}`).join(', ')}`,
    );
    return { rate, bare: bare.rate };
  };
  try {
    await new Promise((r) => setTimeout(r, 1500)); // the workers start and poll
    await warmUp();
    sample();
    const sampler = setInterval(sample, 100);
    const rounds: Array<{ rate: number; bare: number }> = [];
    for (let r = 1; r <= E2E_ROUNDS; r++) rounds.push(await round(r));
    clearInterval(sampler);
    sample();
    // The round whose ratio is the median: its own rate and baseline, so the row's ratio is that median.
    const byRatio = [...rounds].sort((a, b) => a.rate / a.bare - b.rate / b.bare);
    const mid = byRatio[Math.floor(byRatio.length / 2)]!;
    const memory = [...sampled].map(([name, m]) => `${name} ${Math.round(m.first)} → peak ${Math.round(m.peak)} MB`).join(', ');
    console.error(`  ${kind}: ratios ${rounds.map((x) => (x.rate / x.bare).toFixed(2)).join(', ')}; memory ${memory}`);
    const label = (what: string) => `intake ${kind} end to end, N=${E2E_N} in batches of ${BATCH}${kind === 'postgres' ? ', 2 workers' : ''}: ${what}`;
    return [
      row(label(`messages/s API → sink vs bare pooled nodemailer (median of ${rounds.length} rounds)`), 'msg/s', mid.rate, mid.bare, { ratioAtLeast: 0.8 }),
      ...[...sampled].map(([name, m]) => row(label(`${name} peak RSS (VmHWM) vs RSS before the run`), 'MB', m.peak, m.first)),
      // Workers only: the web process has stored all N long before half are delivered.
      ...[...sampled]
        .filter(([name]) => name.startsWith('worker'))
        .map(([name, m]) =>
          row(label(`${name} peak RSS after all ${rounds.length} × ${E2E_N} delivered vs after the first ${E2E_N / 2} (flat in N: ≈ 1)`), 'MB', m.peak, m.peakAtHalf || m.peak),
        ),
    ];
  } finally {
    for (const w of workers) await w.stop();
  }
}

/** The pipeline bench's bare sender (scripts/bench/pipeline-bench.ts --bare), in its own process. */
function runPipelineBenchBare(env: NodeJS.ProcessEnv, config: Record<string, unknown>, count: number, warmup: number): Promise<{ rate: number; cpuMs: number }> {
  const script = path.join(path.dirname(SELF), 'pipeline-bench.ts');
  return new Promise((resolve, reject) => {
    const flags = (process.env.PIPELINE_BENCH_BARE_FLAGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...flags, '--conditions=react-server', '--import', 'tsx', script, '--bare', JSON.stringify({ config, count, samples: 0, warmup })], {
      env,
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(RESULT));
      if (code === 0 && line) resolve(JSON.parse(line.slice(RESULT.length)) as { rate: number; cpuMs: number });
      else reject(new Error(`the bare sender failed (exit ${code})\n${out}`));
    });
  });
}

async function benchOne(kind: 'sqlite' | 'postgres'): Promise<BenchRow[]> {
  const database = await freshDatabase(kind, PG_ADMIN_URL, 'relaydesk_intake');
  if (!database) return [];
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-intake-data-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: database.url,
    RELAYDESK_DEMO: '0',
    RELAYDESK_DATA_DIR: dataDir,
    RELAYDESK_SECRET_KEYS: `bench:${Buffer.alloc(32, 9).toString('base64')}`,
    AUTH_SECRET: randomBytes(32).toString('hex'),
    RELAYDESK_AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    RELAYDESK_AUDIT_CHECKPOINTS: path.join(dataDir, 'audit-checkpoints.jsonl'),
  };
  let server: Server | null = null;
  const sink = await startSink();
  env.INTAKE_BENCH_SINK_PORT = String(sink.port);
  env.SMTP_ALLOWED_HOSTS = `127.0.0.1:${sink.port}`;
  try {
    const { slug, pipelineToken, personalToken, live } = await runSelf<Setup>(['--setup'], env, `intake bench setup on ${kind}`);
    server = await startServer(env);
    const measureOnce = async (l: Omit<Load, 'seconds'>) => {
      const cpuBefore = server!.cpuMs();
      const result = await runSelf<{ rate: number; p50: number; p99: number; count: number }>(
        ['--load', JSON.stringify({ ...l, seconds: SECONDS })],
        process.env,
        `callers of ${l.url}`,
      );
      return { ...result, cpuPerRequest: (server!.cpuMs() - cpuBefore) / result.count };
    };
    const routes = {
      health: { url: `${server.url}/api/health`, method: 'GET', expect: 200 },
      intake: { url: `${server.url}/api/v1/tenants/${slug}/notifications`, method: 'POST', token: pipelineToken, body: 'notification', expect: 202 },
      bearer: { url: `${server.url}/api/v1/tenants/${slug}/smtp-config`, method: 'GET', token: personalToken, expect: 200 },
    } satisfies Record<string, Omit<Load, 'seconds'>>;
    type Measured = Awaited<ReturnType<typeof measureOnce>>;
    const rounds: Record<keyof typeof routes, Measured[]> = { health: [], intake: [], bearer: [] };
    for (let round = 0; round < ROUNDS; round++) {
      for (const name of Object.keys(routes) as (keyof typeof routes)[]) if (ROUTES.includes(name)) rounds[name].push(await measureOnce(routes[name]));
    }
    const med = (name: keyof typeof routes, field: keyof Measured) => median(rounds[name].map((m) => m[field]));
    const show = (name: keyof typeof routes) =>
      `${name} ${rounds[name].map((m) => Math.round(m.rate)).join('/')} req/s (p50 ${med(name, 'p50').toFixed(1)} ms, ${med(name, 'cpuPerRequest').toFixed(2)} ms CPU/req)`;
    console.error(`  ${kind}: ${show('health')}; ${show('intake')}; ${show('bearer')}`);
    const label = (what: string) => `intake ${kind}, ${CALLERS} keep-alive callers over HTTP: ${what}`;
    const e2e = E2E_N > 0 ? await endToEnd(kind, env, server, sink, live) : [];
    return [
      ...e2e,
      row(label('single-call intake req/s vs GET /api/health req/s'), 'req/s', med('intake', 'rate'), med('health', 'rate'), { ratioAtLeast: 0.5 }),
      row(label('bearer-authenticated GET req/s vs GET /api/health req/s'), 'req/s', med('bearer', 'rate'), med('health', 'rate')),
      row(label('server CPU per intake call vs per GET /api/health'), 'ms', med('intake', 'cpuPerRequest'), med('health', 'cpuPerRequest')),
      row(label('server CPU per bearer-authenticated GET vs per GET /api/health'), 'ms', med('bearer', 'cpuPerRequest'), med('health', 'cpuPerRequest')),
    ];
  } finally {
    await server?.stop();
    await sink.close();
    await database.drop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function intakeBench(): Promise<BenchRow[]> {
  if (!existsSync('.next/BUILD_ID')) {
    console.error('\n  (no production build: run `npm run build` first; skipping the intake bench)');
    return [];
  }
  const rows: BenchRow[] = [];
  const kinds = (process.env.INTAKE_BENCH_DATABASES ?? 'sqlite,postgres').split(',') as Array<'sqlite' | 'postgres'>;
  for (const kind of kinds) rows.push(...(await benchOne(kind)));
  return rows;
}

export const intakeBenchEntry: Bench = { name: 'intake over HTTP, production server (SQLite, PostgreSQL)', run: intakeBench };

if (process.argv[2] === '--setup') answer(setup());
else if (process.argv[2] === '--batches') answer(postBatches(JSON.parse(process.argv[3]!) as Batches));
else if (process.argv[2] === '--load') answer(load(JSON.parse(process.argv[3]!) as Load));
else if (process.argv[1] === SELF) intakeBench().then((rows) => console.table(rows));
