// `npm start`: build when needed, migrate, seed the demo, then run the web app (and, as they land, the
// notification worker and the demo SMTP sandbox). Stops everything on Ctrl-C.
import 'dotenv/config';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, statSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { readEnv, requireProductionSecrets } from '@/server/env';
import { ensureDemoSecrets } from './demo-secrets';
import { migrateDatabase } from '@/server/db-migrate';
import { ensureSandboxCertificates } from '@/server/sandbox/sandbox-ca';
import { DEFAULT_SANDBOX_PORT, SANDBOX_USERNAME } from '@/lib/sandbox-modes';

const env = readEnv();

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
  const allowed = [process.env.SMTP_ALLOWED_HOSTS, `127.0.0.1:${port}`, `[::1]:${port}`].filter(Boolean);
  process.env.SMTP_ALLOWED_HOSTS = allowed.join(',');
  process.env.SMTP_TRUSTED_CA_FILE = certs.caFile;
  process.env.SANDBOX_PORT = String(port);
  return port;
}

async function main() {
  let sandboxPort = 0;
  if (env.demo) {
    ensureDemoSecrets(env.RELAYDESK_DATA_DIR);
    process.env.RELAYDESK_DEMO = '1';
    sandboxPort = await prepareSandbox();
  } else {
    requireProductionSecrets(readEnv());
  }
  process.env.DATABASE_URL = env.DATABASE_URL;

  const applied = await migrateDatabase(env.DATABASE_URL);
  console.log(applied.length ? `Migrated the database: ${applied.join(', ')}` : 'Database is up to date.');

  if (env.demo) {
    const { seedDemo, DEMO_ACCOUNTS, DEMO_PASSWORD } = await import('@/prisma/seed');
    const { created } = await seedDemo();
    console.log(created ? 'Seeded the demo tenants and accounts.' : 'Demo data already present; kept it.');
    console.log('\nDemo accounts (password for all: ' + DEMO_PASSWORD + '):');
    for (const a of DEMO_ACCOUNTS) console.log(`  ${a.role.padEnd(16)} ${a.email.padEnd(28)} ${'tenant' in a ? a.tenant : ''}`);
    console.log(`\nDemo SMTP sandbox: localhost:${sandboxPort} (STARTTLS, AUTH PLAIN/LOGIN)`);
    console.log(`  username ${SANDBOX_USERNAME}   password ${process.env.SANDBOX_PASSWORD}`);
    console.log(`  inbox: http://localhost:${env.PORT}/sandbox (TAM or admin)`);
    console.log('');
  }

  buildIfStale();

  // The audit chain head is signed at least once a minute and when Relaydesk stops (docs/decisions/007).
  const { writeCheckpoint } = await import('@/server/audit/checkpoints');
  const checkpoint = () => writeCheckpoint().catch((error: Error) => console.error(`Audit checkpoint failed: ${error.message}`));
  await checkpoint();
  const checkpointTimer = setInterval(checkpoint, 60_000);

  const children: ChildProcess[] = [];
  let stopping = false;
  const stop = async (code = 0) => {
    if (stopping) return;
    stopping = true;
    clearInterval(checkpointTimer);
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await checkpoint();
    process.exit(code);
  };
  if (env.demo) {
    const sandbox = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/sandbox.ts'], { stdio: 'inherit', env: process.env });
    children.push(sandbox);
    sandbox.on('exit', (code) => {
      console.error(`The SMTP sandbox stopped (exit ${code}).`);
      stop(1);
    });
  }
  const worker = spawn(process.execPath, ['--conditions=react-server', '--import', 'tsx', 'scripts/worker.ts'], { stdio: 'inherit', env: process.env });
  children.push(worker);
  worker.on('exit', (code) => {
    console.error(`The notification worker stopped (exit ${code}).`);
    stop(1);
  });
  // next's own bin, not `npx next`: npx runs it as a grandchild that a signal to npx would not stop.
  const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
  // peer-address.mjs: the socket address reaches the app as x-relaydesk-peer (server/http/request-meta.ts).
  const web = spawn(process.execPath, ['--import', './scripts/peer-address.mjs', nextBin, 'start', '-p', String(env.PORT)], { stdio: ['ignore', 'pipe', 'inherit'], env: process.env });
  children.push(web);
  web.stdout?.on('data', (chunk: Buffer) => {
    const text = chunk.toString();
    process.stdout.write(text);
    if (/Ready|started server/i.test(text)) console.log(`\nRelaydesk is running at http://localhost:${env.PORT}\n`);
  });

  process.on('SIGINT', () => stop());
  process.on('SIGTERM', () => stop());
  web.on('exit', (code) => {
    console.error(`The web app stopped (exit ${code}).`);
    stop(1);
  });
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
