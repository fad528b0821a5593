// Gives each test process a fresh database (a copy of a migrated SQLite template, or CREATE DATABASE …
// TEMPLATE on PostgreSQL) before server/db loads. It must be PRELOADED — `node --import
// ./tests/helpers/test-env.ts` (npm run test:integration does) — because a top-level await in an
// ordinary import does not hold back the sibling imports: server/db would read DATABASE_URL first.
// Test files import it too, which then only checks that it was preloaded.
// TEST_DATABASE=postgres selects PostgreSQL (TEST_POSTGRES_URL, default postgres://postgres@127.0.0.1:5432/postgres).
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, mkdirSync } from 'node:fs';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { migrateDatabase } from '@/server/db-migrate';

process.env.RELAYDESK_SECRET_KEYS ??= `test1:${Buffer.alloc(32, 7).toString('base64')}`;
process.env.AUTH_SECRET ??= 'test-auth-secret-test-auth-secret-0123456789';
process.env.RELAYDESK_DEMO = '0';
// Audit checkpoints of a test process live in its own temp folder, never in ./data.
const testDataDir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-data-'));
process.env.RELAYDESK_DATA_DIR = testDataDir;
process.env.RELAYDESK_AUDIT_CHECKPOINTS = path.join(testDataDir, 'audit-checkpoints.jsonl');
// Outside demo mode the signing key comes from the environment only (docs/decisions/014).
process.env.RELAYDESK_AUDIT_SIGNING_KEY ??= generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

// Every lookup of the app (destination guard, OAuth endpoints, domain checks) asks a loopback DNS
// server with an empty zone unless a test points it elsewhere: tests never ask the real DNS.
if (!process.env.RELAYDESK_DNS_SERVERS) {
  const { startZoneServer } = await import('@/server/dns/zone-server');
  const emptyZone = await startZoneServer({});
  emptyZone.unref();
  process.env.RELAYDESK_DNS_SERVERS = emptyZone.address;
}

function migrationsHash(kind: string): string {
  const dir = path.join('prisma', 'migrations', kind);
  const h = createHash('sha256');
  for (const f of readdirSync(dir).sort()) h.update(f).update(readFileSync(path.join(dir, f)));
  return h.digest('hex').slice(0, 12);
}

async function sqliteDatabase(): Promise<string> {
  const root = path.join(os.tmpdir(), 'relaydesk-tests');
  mkdirSync(root, { recursive: true });
  const template = path.join(root, `template-${migrationsHash('sqlite')}.db`);
  if (!existsSync(template)) {
    // Build beside, then rename: parallel test files never see a half-migrated template.
    const building = `${template}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await migrateDatabase(`file:${building}`);
    renameSync(building, template);
  }
  const file = path.join(mkdtempSync(path.join(root, 'db-')), 'test.db');
  copyFileSync(template, file);
  return `file:${file}`;
}

async function postgresDatabase(): Promise<string> {
  const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
  const template = `relaydesk_tpl_${migrationsHash('postgres')}`;
  const name = `relaydesk_t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  try {
    await admin.query('SELECT pg_advisory_lock(727003)');
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
    if (exists.rowCount === 0) {
      await admin.query(`CREATE DATABASE "${template}"`);
      await migrateDatabase(withDatabase(adminUrl, template));
    }
    await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${template}"`);
  } finally {
    await admin.query('SELECT pg_advisory_unlock(727003)').catch(() => {});
    await admin.end();
  }
  return withDatabase(adminUrl, name);
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

export const testDatabaseKind = process.env.TEST_DATABASE === 'postgres' ? 'postgres' : 'sqlite';
if (!process.execArgv.some((arg) => arg.includes('test-env'))) {
  throw new Error('tests/helpers/test-env.ts must be preloaded: node --import ./tests/helpers/test-env.ts (see npm run test:integration)');
}
const state = globalThis as { relaydeskTestDb?: string };
if (!state.relaydeskTestDb) {
  state.relaydeskTestDb = testDatabaseKind === 'postgres' ? await postgresDatabase() : await sqliteDatabase();
  process.env.DATABASE_URL = state.relaydeskTestDb;
}
