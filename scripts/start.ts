// `npm start`: build when needed, migrate, seed the demo, then run the processes RELAYDESK_RUN names (the
// web app, the notification worker and, in demo mode, the SMTP sandbox), each supervised: one that dies
// is restarted with backoff, and after too many failures in a row Relaydesk exits non-zero so that a
// supervisor restarts the whole service (docs/decisions/014). Stops everything on Ctrl-C or SIGTERM.
import 'dotenv/config';
import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { nextStartArgs, readEnv, requireProductionSecrets, webHost, type ProcessName } from '@/server/env';
import { ensureDemoSecrets } from './demo-secrets';
import { migrateDatabase } from '@/server/db-migrate';
import { ensureSandboxCertificates } from '@/server/sandbox/sandbox-ca';
import { DEFAULT_SANDBOX_PORT, SANDBOX_USERNAME } from '@/lib/sandbox-modes';

const env = readEnv();

/** How a dead process is brought back: after 1 s, 2 s, 4 s, 8 s, 16 s; a sixth failure in a row ends Relaydesk. */
const RESTART_POLICY = { firstDelayMs: 1000, healthyAfterMs: 60_000, maxFailuresInARow: 5 };

const log = (line: string) => console.log(`[start] ${line}`);
const logError = (line: string) => console.error(`[start] ${line}`);

function newestSourceMtime(dirs: string[]): number {
  let newest = 0;
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else newest = Math.max(newest, statSync(full).mtimeMs);
    }
  };
  dirs.forEach(walk);
  return newest;
}

function buildIfStale(): void {
  const buildId = '.next/BUILD_ID';
  const stale = !existsSync(buildId) || newestSourceMtime(['app', 'server', 'lib', 'messages', 'prisma']) > statSync(buildId).mtimeMs;
  if (!stale) return;
  console.log('Building the web app (first start or changed sources)…');
  const result = spawnSync('npx', ['next', 'build'], { stdio: 'inherit', env: process.env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** Demo mode: the web app may reach the sandbox on loopback (both addresses of `localhost`) and trusts its CA. */
async function prepareSandbox(): Promise<number> {
  const port = Number(process.env.SANDBOX_PORT ?? DEFAULT_SANDBOX_PORT);
  const certs = await ensureSandboxCertificates(env.RELAYDESK_DATA_DIR);
  // The demo identity provider listens beside the sandbox (scripts/sandbox.ts): its token endpoint is allowed too.
  const oauthPort = Number(process.env.SANDBOX_OAUTH_PORT ?? port + 1);
  process.env.SANDBOX_OAUTH_PORT = String(oauthPort);
  const allowed = [process.env.SMTP_ALLOWED_HOSTS, `127.0.0.1:${port}`, `[::1]:${port}`, `127.0.0.1:${oauthPort}`, `[::1]:${oauthPort}`].filter(Boolean);
  process.env.SMTP_ALLOWED_HOSTS = allowed.join(',');
  // The Microsoft 365 provider asks the demo identity provider (its Entra-shaped token endpoint), so a
  // request filed from the Microsoft 365 preset can be tried against the sandbox without an Entra tenant.
  process.env.RELAYDESK_OAUTH_AUTHORITY_MICROSOFT ||= `https://localhost:${oauthPort}`;
  process.env.SMTP_TRUSTED_CA_FILE = certs.caFile;
  process.env.SANDBOX_PORT = String(port);
  // Every lookup of the app asks the demo DNS beside the sandbox (scripts/sandbox.ts; other names are forwarded).
  process.env.SANDBOX_DNS_PORT ??= String(port + 2);
  process.env.RELAYDESK_DNS_SERVERS ||= `127.0.0.1:${process.env.SANDBOX_DNS_PORT}`;
  return port;
}

const LABELS: Record<ProcessName, string> = { web: 'web app', worker: 'notification worker', sandbox: 'SMTP sandbox' };

/** One supervised child process: started again after it dies, with backoff, until stop() is called. */
class Supervised {
  private child: ChildProcess | null = null;
  private startedAt = 0;
  private failuresInARow = 0;
  private restartTimer: NodeJS.Timeout | null = null;
  private stopping = false;

  constructor(
    readonly name: ProcessName,
    private readonly command: { args: string[]; options: SpawnOptions; onStart?: (child: ChildProcess) => void },
    private readonly giveUp: () => void,
  ) {}

  start(): void {
    const child = spawn(process.execPath, this.command.args, this.command.options);
    this.child = child;
    this.startedAt = Date.now();
    log(`${LABELS[this.name]} running (pid ${child.pid})`);
    this.command.onStart?.(child);
    child.on('exit', (code, signal) => this.exited(code, signal));
  }

  private exited(code: number | null, signal: NodeJS.Signals | null): void {
    this.child = null;
    if (this.stopping) return;
    const how = signal ? `signal ${signal}` : `exit code ${code}`;
    if (Date.now() - this.startedAt >= RESTART_POLICY.healthyAfterMs) this.failuresInARow = 0;
    this.failuresInARow += 1;
    if (this.failuresInARow > RESTART_POLICY.maxFailuresInARow) {
      logError(`The ${LABELS[this.name]} stopped unexpectedly (${how}) ${this.failuresInARow} times in a row; giving up: Relaydesk exits so that its service manager restarts it.`);
      this.giveUp();
      return;
    }
    const delay = RESTART_POLICY.firstDelayMs * 2 ** (this.failuresInARow - 1);
    logError(
      `The ${LABELS[this.name]} stopped unexpectedly (${how}); restarting it in ${delay / 1000} s (failure ${this.failuresInARow} of ${RESTART_POLICY.maxFailuresInARow} in a row).`,
    );
    this.restartTimer = setTimeout(() => {
      this.restartTimer = null;
      if (!this.stopping) this.start();
    }, delay);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves when the process is gone. */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await gone;
    clearTimeout(killer);
  }
}

const withTimeout = <T>(promise: Promise<T>, ms: number) => Promise.race([promise, new Promise<void>((resolve) => setTimeout(resolve, ms).unref())]);

async function main() {
  let sandboxPort = 0;
  if (env.demo) {
    ensureDemoSecrets(env.RELAYDESK_DATA_DIR);
    process.env.RELAYDESK_DEMO = '1';
  } else {
    requireProductionSecrets(env);
    if (env.run.includes('sandbox')) throw new Error('RELAYDESK_RUN: the SMTP sandbox runs only in demo mode (RELAYDESK_DEMO=1).');
  }
  if (env.run.includes('sandbox')) sandboxPort = await prepareSandbox();
  process.env.DATABASE_URL = env.DATABASE_URL;

  const applied = await migrateDatabase(env.DATABASE_URL);
  console.log(applied.length ? `Migrated the database: ${applied.join(', ')}` : 'Database is up to date.');

  const host = webHost(env);
  const shownHost = !host || host === '127.0.0.1' || host === '::1' || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  if (env.demo) {
    const { seedDemo, DEMO_ACCOUNTS, DEMO_PASSWORD } = await import('@/prisma/seed');
    const { created } = await seedDemo();
    console.log(created ? 'Seeded the demo tenants and accounts.' : 'Demo data already present; kept it.');
    console.log('\nDemo accounts (password for all: ' + DEMO_PASSWORD + '):');
    for (const a of DEMO_ACCOUNTS) console.log(`  ${a.role.padEnd(16)} ${a.email.padEnd(28)} ${'tenant' in a ? a.tenant : ''}`);
    if (sandboxPort) {
      console.log(`\nDemo SMTP sandbox: localhost:${sandboxPort} (STARTTLS, AUTH PLAIN/LOGIN)`);
      console.log(`  username ${SANDBOX_USERNAME}   password ${process.env.SANDBOX_PASSWORD}`);
      console.log(
        `  OAuth (generic provider): token URL https://localhost:${process.env.SANDBOX_OAUTH_PORT}/token, client id relaydesk-demo, client secret = the sandbox password, scope smtp.send`,
      );
      console.log(
        `  OAuth (Microsoft 365 preset): host localhost, port ${sandboxPort}, any directory (tenant) id, application (client) id 11111111-2222-3333-4444-555555555555, client secret = the sandbox password (RELAYDESK_OAUTH_AUTHORITY_MICROSOFT=${process.env.RELAYDESK_OAUTH_AUTHORITY_MICROSOFT})`,
      );
      console.log(`  inbox: http://${shownHost}:${env.PORT}/sandbox (TAM or admin)`);
    }
    if (!env.HOST) console.log('\nDemo mode listens on loopback only (its accounts share a published password); set HOST to listen elsewhere.');
    console.log('');
  }

  if (env.run.includes('web')) buildIfStale();

  // The audit chain head is signed at least once a minute and when Relaydesk stops (docs/decisions/007).
  const { writeCheckpoint } = await import('@/server/audit/checkpoints');
  const checkpoint = () => writeCheckpoint().catch((error: Error) => logError(`Audit checkpoint failed: ${error.message}`));
  await checkpoint();
  const checkpointTimer = setInterval(checkpoint, 60_000);

  const processes: Supervised[] = [];
  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    clearInterval(checkpointTimer);
    await Promise.all(processes.map((p) => p.stop(10_000)));
    await withTimeout(checkpoint(), 5000);
    process.exit(code);
  };
  const giveUp = () => void stop(1);
  const tsx = (script: string) => ({ args: ['--conditions=react-server', '--import', 'tsx', script], options: { stdio: 'inherit', env: process.env } satisfies SpawnOptions });

  if (env.run.includes('sandbox')) processes.push(new Supervised('sandbox', tsx('scripts/sandbox.ts'), giveUp));
  if (env.run.includes('worker')) processes.push(new Supervised('worker', tsx('scripts/worker.ts'), giveUp));
  if (env.run.includes('web')) {
    // next's own bin, not `npx next`: npx runs it as a grandchild that a signal to npx would not stop.
    const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
    // peer-address.mjs: the socket address reaches the app as x-relaydesk-peer (server/core/request-meta.ts).
    const args = ['--import', './scripts/peer-address.mjs', nextBin, ...nextStartArgs(env)];
    const onStart = (web: ChildProcess) =>
      web.stdout?.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        process.stdout.write(text);
        if (/Ready|started server/i.test(text)) console.log(`\nRelaydesk is running at http://${shownHost}:${env.PORT}${host ? ` (listening on ${host})` : ''}\n`);
      });
    processes.push(new Supervised('web', { args, options: { stdio: ['ignore', 'pipe', 'inherit'], env: process.env }, onStart }, giveUp));
  }
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  for (const p of processes) p.start();
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
