import 'server-only';
// The one place raw SQL is spelled per database (docs/decisions/027). Prisma hides the differences for
// ordinary queries; the few statements written by hand (outbox claims, slot leases, grouped inserts, the
// audit walk) splice these instead of testing the database kind themselves.
import { databaseKind, databaseUrl } from './db-url';

export const isPostgres = databaseKind(databaseUrl()) === 'postgres';

/** The n-th parameter (1-based): `$n` on PostgreSQL, `?` on SQLite (positional, so in text order). */
export const placeholder = (n: number): string => (isPostgres ? `$${n}` : '?');

/**
 * Collects parameters in the order the SQL text uses them: `p(value)` appends the value and returns its
 * placeholder, so a statement is built left to right and `values` goes to $queryRawUnsafe as is.
 */
export function sqlParams(): { values: unknown[]; p: (value: unknown) => string } {
  const values: unknown[] = [];
  return { values, p: (value) => (values.push(value), placeholder(values.length)) };
}

/** A timestamp parameter as each database stores it (SQLite: Prisma's ISO text; PostgreSQL: timestamp(3) in UTC). */
export const sqlTime = (date: Date): string => (isPostgres ? date.toISOString() : date.toISOString().replace('Z', '+00:00'));

/** Casts after a parameter placeholder: PostgreSQL types an untyped parameter from context, not always as wanted. */
export const AS_TIMESTAMP = isPostgres ? '::timestamp(3)' : '';
export const AS_INT = isPostgres ? '::int' : '';

/** A boolean literal (SQLite stores booleans as 0/1). */
export const sqlBoolean = (value: boolean): string => (isPostgres ? String(value) : value ? '1' : '0');

/** Row locks a concurrent worker skips instead of waiting on (PostgreSQL); SQLite has one writer and no row locks. */
export const SKIP_LOCKED = isPostgres ? ' FOR UPDATE SKIP LOCKED' : '';

/** A column of {@link rowsAsTable}: its name in the result, its SQL type, and how to read it from a row. */
export type TableColumn<R> = { name: string; type: 'text' | 'int' | 'timestamp'; value: (row: R) => unknown };
const PG_ARRAY_TYPE = { text: 'text[]', int: 'int[]', timestamp: 'timestamp(3)[]' } as const;

/**
 * Many rows as one table expression (a SELECT with the columns' names), for an INSERT … SELECT or an
 * UPDATE … FROM in one statement. PostgreSQL: one array parameter per column, unnested — a fixed number
 * of parameters whatever the number of rows (a VALUES list of 500 rows × 14 columns had 7,000, each passed,
 * parsed and planned; decision 028). SQLite, which has no arrays: a VALUES list (≤ 32,766 parameters).
 * `p` is the statement's {@link sqlParams} collector, so the parameters stay in text order.
 */
export function rowsAsTable<R>(p: (value: unknown) => string, rows: readonly R[], columns: readonly TableColumn<R>[]): string {
  const cell = (c: TableColumn<R>, row: R) => (c.type === 'timestamp' ? sqlTime(c.value(row) as Date) : c.value(row));
  if (isPostgres) {
    const arrays = columns.map((c) => `${p(rows.map((row) => cell(c, row)))}::${PG_ARRAY_TYPE[c.type]}`);
    return `SELECT * FROM unnest(${arrays.join(', ')}) AS x(${columns.map((c) => `"${c.name}"`).join(', ')})`;
  }
  const tuples = rows.map((row) => `(${columns.map((c) => p(cell(c, row))).join(', ')})`);
  return `SELECT ${columns.map((c, i) => `column${i + 1} AS "${c.name}"`).join(', ')} FROM (VALUES ${tuples.join(', ')})`;
}
