// Applies the SQL files of prisma/migrations/<kind>/ in name order, each once, each in its own transaction.
// Used by `npm start`, the admin CLI and the test harness (docs/decisions/001).
import { readdirSync, readFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { databaseKind, sqlitePath } from './db-url';
import { createPrivateFileIfMissing } from './private-files';

const MIGRATIONS_DIR = path.join(process.cwd(), 'prisma', 'migrations');

export function migrationFiles(kind: 'sqlite' | 'postgres') {
  const dir = path.join(MIGRATIONS_DIR, kind);
  return readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(path.join(dir, name), 'utf8') }));
}

export async function migrateDatabase(url: string): Promise<string[]> {
  return databaseKind(url) === 'postgres' ? migratePostgres(url) : migrateSqlite(url);
}

function migrateSqlite(url: string): string[] {
  const file = sqlitePath(url);
  if (file !== ':memory:') {
    mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    createPrivateFileIfMissing(file);
  }
  const conn = new Database(file);
  try {
    conn.pragma('journal_mode = WAL');
    conn.exec('CREATE TABLE IF NOT EXISTS "_relaydesk_migrations" ("name" TEXT PRIMARY KEY, "appliedAt" TEXT NOT NULL)');
    const done = new Set(
      conn
        .prepare('SELECT name FROM "_relaydesk_migrations"')
        .all()
        .map((r) => (r as { name: string }).name),
    );
    const applied: string[] = [];
    for (const m of migrationFiles('sqlite')) {
      if (done.has(m.name)) continue;
      conn.transaction(() => {
        conn.exec(m.sql);
        conn.prepare('INSERT INTO "_relaydesk_migrations" (name, "appliedAt") VALUES (?, ?)').run(m.name, new Date().toISOString());
      })();
      applied.push(m.name);
    }
    return applied;
  } finally {
    conn.close();
  }
}

async function migratePostgres(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // One migrator at a time, even with several app instances starting together.
    await client.query('SELECT pg_advisory_lock(727001)');
    await client.query('CREATE TABLE IF NOT EXISTS "_relaydesk_migrations" ("name" TEXT PRIMARY KEY, "appliedAt" TIMESTAMPTZ NOT NULL)');
    const { rows } = await client.query<{ name: string }>('SELECT name FROM "_relaydesk_migrations"');
    const done = new Set(rows.map((r) => r.name));
    const applied: string[] = [];
    for (const m of migrationFiles('postgres')) {
      if (done.has(m.name)) continue;
      await client.query('BEGIN');
      try {
        await client.query(m.sql);
        await client.query('INSERT INTO "_relaydesk_migrations" (name, "appliedAt") VALUES ($1, now())', [m.name]);
        await client.query('COMMIT');
      } catch (err) {
        await client.query('ROLLBACK');
        throw err;
      }
      applied.push(m.name);
    }
    return applied;
  } finally {
    await client.query('SELECT pg_advisory_unlock(727001)').catch(() => {});
    await client.end();
  }
}
