import 'server-only';
import type Database from 'better-sqlite3';

// How the app's SQLite connection (Prisma's better-sqlite3 adapter underneath `db`) is set up; decision 033.
// - Every commit is flushed to disk (`synchronous = FULL`). In WAL mode better-sqlite3's build defaults to
//   NORMAL: a commit survives the process but not a power loss or an OS crash, and a 202 promises the
//   notification is stored. Grouped commits share the flush.
// - Transactions begin as writers. The adapter begins one with a plain (deferred) BEGIN: a transaction that
//   reads and then writes fails at once with SQLITE_BUSY ("Operation has timed out") when another process
//   (the worker, a second web process) committed in between. BEGIN IMMEDIATE takes the write lock first,
//   waiting for it as long as the busy timeout allows, so the transaction's snapshot cannot go stale.
// - Compiled statements are kept. The adapter compiles every statement again on every query
//   (`client.prepare(sql).bind(args)`), and a better-sqlite3 statement can be bound only once, so none is
//   ever reused; over HTTP the pipeline token's lookup spent ~0.2 ms of server CPU in `prepare` per intake
//   call. Here the connection keeps a bounded number by their SQL, and what the adapter binds once is
//   passed on each run instead. SQLite compiles a kept statement again by itself when the schema changed.

/** The statements kept per connection: the app's queries are a few hundred distinct texts at most. */
const KEPT = 500;
/** Longer texts are the multi-row INSERTs of a batch: compiling is a small part of running them. */
const LONGEST_KEPT_SQL = 8_192;

type Statement = Database.Statement<unknown[]>;

/** What the adapter uses of a statement: `reader`, `run()`, and once bound, `columns()` and `raw().all()`. */
type Bound = {
  reader: boolean;
  run: () => Database.RunResult;
  columns: () => Database.ColumnDefinition[];
  raw: () => { all: () => unknown[] };
};

function bindOnCall(statement: Statement, args: unknown[]): Bound {
  // The adapter asks for the columns and then for the rows. A kept statement learns of a schema change
  // only when it runs (SQLite compiles it again then): asked first, it would name the columns of before.
  // So it runs first, and the rows wait for `raw().all()`.
  let rows: unknown[] | null = null;
  const runOnce = () => (rows ??= statement.raw(true).all(args));
  return {
    reader: statement.reader,
    run: () => statement.run(args),
    columns: () => {
      runOnce();
      return statement.columns();
    },
    raw: () => ({ all: runOnce }),
  };
}

let reused = 0;

/** How many compilations the kept statements saved in this process (tests: they are in use). */
export function compilationsSaved(): number {
  return reused;
}

/** Sets up the adapter's connection as above: durable commits, writer transactions, kept statements. */
export function setUpSqliteConnection(client: Database.Database): void {
  client.pragma('synchronous = FULL');
  const compile = client.prepare.bind(client) as (sql: string) => Statement;
  const kept = new Map<string, Statement>();
  const prepare = (sql: string) => {
    let statement = kept.get(sql);
    if (statement) {
      reused += 1;
      kept.delete(sql); // set again below: the most recently used is last, the first is the one to drop
    } else {
      statement = compile(sql === 'BEGIN' ? 'BEGIN IMMEDIATE' : sql);
      if (sql.length > LONGEST_KEPT_SQL) return statement;
      if (kept.size >= KEPT) kept.delete(kept.keys().next().value!);
    }
    kept.set(sql, statement);
    const s = statement;
    return { reader: s.reader, run: () => s.run(), bind: (args: unknown[]) => bindOnCall(s, args) };
  };
  (client as unknown as { prepare: typeof prepare }).prepare = prepare;
}
