// The plan the test database makes for a statement, as one text: which index it reads is what the tests
// look for. PostgreSQL plans with sequential scans off: a test table is small enough for its planner to
// prefer reading it whole, and that the index can serve the statement is what is shown.
import { db } from './factories';
import { testDatabaseKind } from './test-env';

export async function queryPlan(sql: string, ...params: unknown[]): Promise<string> {
  const rows =
    testDatabaseKind === 'postgres'
      ? await db.$transaction(async (tx) => {
          await tx.$executeRawUnsafe('SET LOCAL enable_seqscan = off');
          return tx.$queryRawUnsafe<Record<string, unknown>[]>(`EXPLAIN ${sql}`, ...params);
        })
      : await db.$queryRawUnsafe<Record<string, unknown>[]>(`EXPLAIN QUERY PLAN ${sql}`, ...params);
  return rows.map((r) => Object.values(r).map(String).join(' ')).join('\n');
}
