import 'server-only';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from './generated/sqlite/client';
import { PrismaClient as PostgresClient } from './generated/postgres/client';
import { databaseKind, databaseUrl, sqlitePath } from './db-url';
import { setUpSqliteConnection } from './sqlite-connection';
import type BetterSqlite3 from 'better-sqlite3';

// Both generated clients come from the same models, so they share one shape; the app codes against it.
export type Db = SqliteClient;
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

/** Prisma's SQLite adapter, its connection set up by server/sqlite-connection.ts (decision 033). */
class SqliteAdapter extends PrismaBetterSqlite3 {
  override async connect(): ReturnType<PrismaBetterSqlite3['connect']> {
    const adapter = await super.connect();
    const client = (adapter as unknown as { client?: BetterSqlite3.Database }).client;
    // An adapter that no longer holds its connection there is used as it is (the tests say so).
    if (typeof client?.prepare === 'function') setUpSqliteConnection(client);
    return adapter;
  }
}

function adapterFor(url: string) {
  return databaseKind(url) === 'postgres' ? new PrismaPg({ connectionString: url }) : new SqliteAdapter({ url: sqlitePath(url) });
}

/**
 * Every interactive transaction's bounds. Prisma's defaults (2 s to get a connection, 5 s to finish) fail
 * sound work under load: on SQLite every transaction of a process waits for its one connection, and a
 * browser run saw an apply answer 500 after 2 s behind a worker's commits; a batch of 500 notifications
 * on a busy machine outlasted 5 s. These bounds only stop a transaction that is stuck.
 */
const transactionOptions = { maxWait: 15_000, timeout: 30_000 };

function createClient(url: string): Db {
  if (databaseKind(url) === 'postgres') return new PostgresClient({ adapter: adapterFor(url) as PrismaPg, transactionOptions }) as unknown as Db;
  return new SqliteClient({ adapter: adapterFor(url) as SqliteAdapter, transactionOptions });
}

export type RawReader = Awaited<ReturnType<PrismaBetterSqlite3['connect']>>;

/**
 * A connection of the driver adapter underneath the client: rows come back as arrays of column values,
 * without the client's per-row mapping. For reading every row of a large table (audit verification,
 * where that mapping was most of the cost); everything else goes through `db`. Close it with dispose().
 */
export function connectRawReader(): Promise<RawReader> {
  return adapterFor(databaseUrl()).connect();
}

const globalForDb = globalThis as unknown as { relaydeskDb?: Db };

export const db: Db = globalForDb.relaydeskDb ?? createClient(databaseUrl());
globalForDb.relaydeskDb = db;

export { isPostgres } from './db-dialect';
