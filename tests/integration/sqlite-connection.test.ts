import '../helpers/test-env';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { db, isPostgres } from '@/server/db';
import { databaseUrl, sqlitePath } from '@/server/db-url';
import { compilationsSaved } from '@/server/sqlite-connection';

// The SQLite adapter's connection (server/sqlite-connection.ts) flushes every commit, begins transactions
// as a writer, and keeps its compiled statements: a kept statement is bound afresh on every run, so the
// same text with other values answers for those values, a statement that failed runs again, a transaction
// that rolled back leaves nothing, and a statement kept from before a schema change sees the new schema.
const skip = isPostgres && 'SQLite only (the PostgreSQL adapter has no statements of its own to keep)';

test('every commit is flushed to disk (synchronous = FULL): a 202 survives a power loss, not only a crash', { skip }, async () => {
  const [row] = await db.$queryRawUnsafe<{ synchronous: bigint | number }[]>('PRAGMA synchronous');
  assert.equal(Number(row!.synchronous), 2, 'FULL is 2; better-sqlite3 defaults to NORMAL (1) in WAL mode');
});

test('a transaction that reads and then writes is not undone by another process committing in between', { skip }, async () => {
  // Another process: the worker, or a second web process. Its busy timeout is 0: it says at once whether
  // it could write while the transaction is open.
  const other = new Database(sqlitePath(databaseUrl()), { timeout: 0 });
  try {
    await db.$executeRawUnsafe('CREATE TABLE IF NOT EXISTS "BeginProbe" ("id" TEXT PRIMARY KEY, "n" INTEGER)');
    let otherWrote: string;
    await db.$transaction(async (tx) => {
      await tx.$queryRawUnsafe('SELECT COUNT(*) AS n FROM "BeginProbe"');
      try {
        other.prepare(`INSERT INTO "BeginProbe" ("id", "n") VALUES ('other', 1)`).run();
        otherWrote = 'committed';
      } catch (error) {
        otherWrote = (error as { code?: string }).code ?? String(error);
      }
      // With a deferred BEGIN this write failed with SQLITE_BUSY_SNAPSHOT: the other process had committed.
      await tx.$executeRawUnsafe(`INSERT INTO "BeginProbe" ("id", "n") VALUES ('mine', 2)`);
    });
    assert.equal(otherWrote!, 'SQLITE_BUSY', 'the transaction held the write lock from its BEGIN');
    other.prepare(`INSERT INTO "BeginProbe" ("id", "n") VALUES ('other', 1)`).run();
    const ids = await db.$queryRawUnsafe<{ id: string }[]>('SELECT "id" FROM "BeginProbe" ORDER BY "id"');
    assert.deepEqual(
      ids.map((r) => r.id),
      ['mine', 'other'],
    );
  } finally {
    other.close();
  }
});

test('the same query with other values is compiled once and answers for each value', { skip }, async () => {
  const before = compilationsSaved();
  const ask = (n: number) => db.$queryRaw<{ doubled: bigint | number }[]>`SELECT ${n} * 2 AS doubled`;
  const answers = [];
  for (const n of [1, 2, 3, 4]) answers.push(Number((await ask(n))[0]!.doubled));
  assert.deepEqual(answers, [2, 4, 6, 8]);
  assert.ok(compilationsSaved() - before >= 3, `saved ${compilationsSaved() - before} of 3 compilations`);
});

test('a kept statement that failed runs again; a rolled-back transaction leaves nothing', { skip }, async () => {
  await db.$executeRawUnsafe('CREATE TABLE IF NOT EXISTS "KeptStatementProbe" ("id" TEXT PRIMARY KEY, "n" INTEGER)');
  const insert = (id: string, n: number) => db.$executeRawUnsafe('INSERT INTO "KeptStatementProbe" ("id", "n") VALUES (?, ?)', id, n);
  await insert('a', 1);
  await assert.rejects(insert('a', 2), /UNIQUE|unique/);
  await insert('b', 2);
  await assert.rejects(
    db.$transaction(async (tx) => {
      await tx.$executeRawUnsafe('INSERT INTO "KeptStatementProbe" ("id", "n") VALUES (?, ?)', 'c', 3);
      throw new Error('roll back');
    }),
    /roll back/,
  );
  const rows = await db.$queryRawUnsafe<{ id: string; n: bigint | number }[]>('SELECT "id", "n" FROM "KeptStatementProbe" ORDER BY "id"');
  assert.deepEqual(
    rows.map((r) => [r.id, Number(r.n)]),
    [
      ['a', 1],
      ['b', 2],
    ],
  );
});

test('a statement kept from before a schema change sees the new column', { skip }, async () => {
  await db.$executeRawUnsafe('CREATE TABLE IF NOT EXISTS "KeptSchemaProbe" ("id" TEXT PRIMARY KEY)');
  await db.$executeRawUnsafe(`INSERT INTO "KeptSchemaProbe" ("id") VALUES ('x')`);
  const all = () => db.$queryRawUnsafe<Record<string, unknown>[]>('SELECT * FROM "KeptSchemaProbe"');
  assert.deepEqual(Object.keys((await all())[0]!), ['id']);
  await db.$executeRawUnsafe(`ALTER TABLE "KeptSchemaProbe" ADD COLUMN "note" TEXT DEFAULT 'added'`);
  assert.deepEqual(await all(), [{ id: 'x', note: 'added' }]);
});
