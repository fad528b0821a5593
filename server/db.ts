import 'server-only';
import { PrismaBetterSqlite3 } from '@prisma/adapter-better-sqlite3';
import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient as SqliteClient } from './generated/sqlite/client';
import { PrismaClient as PostgresClient } from './generated/postgres/client';
import { databaseKind, databaseUrl, sqlitePath } from './db-url';

// Both generated clients come from the same models, so they share one shape; the app codes against it.
export type Db = SqliteClient;
export type Tx = Parameters<Parameters<Db['$transaction']>[0]>[0];

function createClient(url: string): Db {
  if (databaseKind(url) === 'postgres') {
    return new PostgresClient({ adapter: new PrismaPg({ connectionString: url }) }) as unknown as Db;
  }
  return new SqliteClient({ adapter: new PrismaBetterSqlite3({ url: sqlitePath(url) }) });
}

const globalForDb = globalThis as unknown as { relaydeskDb?: Db };

export const db: Db = globalForDb.relaydeskDb ?? createClient(databaseUrl());
globalForDb.relaydeskDb = db;

export const isPostgres = databaseKind(databaseUrl()) === 'postgres';
