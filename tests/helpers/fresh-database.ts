// Proves that the Prisma client of a DB test file is on that file's fresh database, not on the default
// file:./data/relaydesk.db (the demo database). That is what happens when server/db.ts loads before
// tests/helpers/test-env.ts has set DATABASE_URL — which is why test-env must be preloaded with --import.
import assert from 'node:assert/strict';
import type { Db } from '@/server/db';

export async function assertFreshDatabase(db: Db): Promise<void> {
  const url = process.env.DATABASE_URL ?? '';
  if (/^postgres(ql)?:\/\//.test(url)) {
    const [row] = await db.$queryRawUnsafe<{ name: string }[]>('SELECT current_database() AS name');
    assert.equal(row?.name, new URL(url).pathname.slice(1), 'the Prisma client is not on this file’s PostgreSQL database');
  } else {
    const files = await db.$queryRawUnsafe<{ name: string; file: string }[]>('PRAGMA database_list');
    assert.equal(files.find((f) => f.name === 'main')?.file, url.replace(/^file:/, ''), 'the Prisma client is not on this file’s SQLite database');
  }
  assert.equal(await db.tenant.count(), 0, 'the database is not fresh');
}
