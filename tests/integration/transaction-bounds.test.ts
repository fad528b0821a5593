import '../helpers/test-env';
// Every interactive transaction gets the client's bounds (server/db.ts): 15 s to get a connection and
// 30 s to finish, instead of Prisma's 2 s and 5 s, which failed sound work under load (an apply behind a
// worker's commits on SQLite's one connection; a batch of 500 on a busy machine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { db } from '../helpers/factories';

test('a transaction may run past 5 s, and one waiting for the connection past 2 s still runs', async () => {
  let held = 0;
  const long = db.$transaction(async (tx) => {
    await tx.$queryRaw`SELECT 1`;
    await sleep(5_500);
    held = 1;
    return (await tx.$queryRaw<{ one: number | bigint }[]>`SELECT 1 AS one`)[0]?.one;
  });
  await sleep(100);
  // On SQLite this one waits for the first to give the connection back (~5.4 s); on PostgreSQL it runs at once.
  const waiting = await db.$transaction(async (tx) => (await tx.$queryRaw<{ two: number | bigint }[]>`SELECT 2 AS two`)[0]?.two);
  assert.equal(Number(waiting), 2);
  assert.equal(Number(await long), 1);
  assert.equal(held, 1);
});
