// Both databases proven equal (issue 17): a fresh SQLite and a fresh PostgreSQL database, each migrated
// from its own folder of SQL files, have the same tables, columns, mapped types, nullability, defaults,
// primary keys, unique constraints and indexes — as each other and as the Prisma data model says.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { migrateDatabase } from '@/server/db-migrate';
import { readDmmf } from '../helpers/prisma-dmmf';
import { compareShapes, describeDmmf, describePostgres, describeSqlite, withoutPartialIndexes, type SchemaShape } from '../helpers/schema-shape';

const dir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-schema-'));
const sqliteFile = path.join(dir, 'fresh.db');
const adminUrl = process.env.TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const pgName = `relaydesk_schema_${randomBytes(4).toString('hex')}`;
let pgCreated = false;

after(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (pgCreated) {
    const admin = new pg.Client({ connectionString: adminUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${pgName}" WITH (FORCE)`).catch(() => {});
    await admin.end();
  }
});

// The partial indexes the migrations add and the Prisma model cannot declare (a WHERE clause): each is
// named here, so a new one is a decision, not an accident. The two databases still compare them.
const PARTIAL_INDEXES = ['Notification_dead_idx', 'Notification_delivered_idx', 'Notification_pending_idx', 'Notification_retried_idx'];

function assertMatchesModel(shape: SchemaShape, name: string) {
  const { shape: full, partial } = withoutPartialIndexes(shape);
  assert.deepEqual(partial, PARTIAL_INDEXES, `the partial indexes of ${name}`);
  assert.deepEqual(compareShapes(full, model, [name, 'schema.prisma']), []);
}

const model = describeDmmf(readDmmf(readFileSync('prisma/schema.prisma', 'utf8')));

async function freshSqlite(): Promise<SchemaShape> {
  await migrateDatabase(`file:${sqliteFile}`);
  return describeSqlite(sqliteFile);
}

/** null when no PostgreSQL is reachable (then that half is skipped, and says so). */
async function freshPostgres(): Promise<SchemaShape | null> {
  const admin = new pg.Client({ connectionString: adminUrl });
  try {
    await admin.connect();
  } catch (error) {
    console.error(`\n  !! PostgreSQL at ${adminUrl} is not reachable: the PostgreSQL half of the schema comparison is SKIPPED (${(error as Error).message})\n`);
    await admin.end().catch(() => {});
    return null;
  }
  try {
    await admin.query(`CREATE DATABASE "${pgName}"`);
    pgCreated = true;
  } finally {
    await admin.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${pgName}`;
  await migrateDatabase(url.toString());
  return describePostgres(url.toString());
}

const sqlite = freshSqlite();
const postgres = freshPostgres();

test('a freshly migrated SQLite database is what the Prisma data model says', async () => {
  assertMatchesModel(await sqlite, 'SQLite');
});

test('a freshly migrated PostgreSQL database is what the Prisma data model says', async (t) => {
  const shape = await postgres;
  if (!shape) return t.skip('PostgreSQL is not reachable');
  assertMatchesModel(shape, 'PostgreSQL');
});

test('SQLite and PostgreSQL agree, index names included', async (t) => {
  const shape = await postgres;
  if (!shape) return t.skip('PostgreSQL is not reachable');
  assert.deepEqual(compareShapes(await sqlite, shape, ['SQLite', 'PostgreSQL']), []);
});

test('the comparison notices a column, a nullability, a default and an index that one side lacks', async () => {
  const fresh = await sqlite;
  // A doctored copy: what a migration added to the SQLite folder and not to the PostgreSQL one would leave.
  const doctored = path.join(dir, 'doctored.db');
  copyFileSync(sqliteFile, doctored);
  const conn = new Database(doctored);
  conn.exec(`ALTER TABLE "Tenant" ADD COLUMN "extra" TEXT;
             CREATE INDEX "Tenant_name_idx" ON "Tenant"("name");
             ALTER TABLE "HealthLease" ADD COLUMN "note" TEXT NOT NULL DEFAULT 'x';`);
  conn.close();
  assert.deepEqual(compareShapes(describeSqlite(doctored), fresh, ['doctored', 'fresh']), [
    'HealthLease.note: only in doctored',
    'Tenant.extra: only in doctored',
    'Tenant: index(name) only in doctored',
  ]);
  // A doctored data model: a field made optional, a default changed, an index dropped.
  const schema = readFileSync('prisma/schema.prisma', 'utf8')
    .replace('  timeZone     String?', '  timeZone     String')
    .replace('maxConnections Int       @default(2)', 'maxConnections Int       @default(3)')
    .replace('  @@index([tenantId, checkedAt])\n', '');
  assert.deepEqual(compareShapes(withoutPartialIndexes(fresh).shape, describeDmmf(readDmmf(schema)), ['SQLite', 'doctored model']), [
    'HealthCheck: index(tenantId, checkedAt) only in SQLite',
    'TenantPipeline.maxConnections: default "2" in SQLite, "3" in doctored model',
    'User.timeZone: nullable true in SQLite, false in doctored model',
  ]);
});
