import 'server-only';
// Writes a notification to the outbox. The API answers 202 only after this commits, so an accepted
// notification survives any crash; the worker delivers it later.
import { randomUUID } from 'node:crypto';
import { db, type Tx } from '../db';
import { isPostgres, rowsAsTable, sqlParams, type TableColumn } from '../db-dialect';
import { isUniqueViolation } from '../config-versions/create-config-version';
import { AppError } from '../app-error';
import { newMessageId } from '../smtp/message-ids';
import { wakeWorkers } from './wake-workers';
import { logError } from '../log';
import type { z } from 'zod';
import { IDEMPOTENCY_WINDOW_MS, type EnqueuedSchema, type NotificationData } from './notification-schema';

export type Enqueued = z.infer<typeof EnqueuedSchema>;
export type Intake = { items: Enqueued[]; /** How many were new (the others repeated an idempotency key). */ created: number };

/**
 * Stores notifications in one transaction (all or none). A notification whose idempotency key this tenant
 * used within the last 7 days is not stored again: its answer is the original { id, messageId }. When two
 * callers race with the same key, the unique index lets one insert win; the other transaction fails and is
 * run again, and then finds the winner's row.
 *
 * A call without idempotency keys (and a single notification with one, the common case) takes a shorter
 * way: no interactive transaction, its rows join the rows of concurrent calls in one INSERT (one commit
 * for all of them, see insertGrouped). Only when a key is already taken does it go the long way, which
 * finds the original.
 * Either way the promise settles after the commit: "stored before 202" holds.
 */
export async function enqueueNotifications(tenantId: string, notifications: NotificationData[], knownActive?: ActiveVersion | null): Promise<Intake> {
  // The intake route read the active version with the token (one query); other callers ask here.
  const active = knownActive ?? (await activeVersionOf(tenantId));
  // Without idempotency keys nothing can repeat: the rows go in as one unit of a grouped INSERT. A single
  // notification with a key tries the same; only when the key is taken does it go the long way.
  const keyed = notifications.some((n) => n.idempotencyKey);
  if (!keyed || notifications.length === 1) {
    const now = new Date();
    const items = notifications.map(() => ({ id: randomUUID(), messageId: newMessageId(active.noReplyAddress) }));
    try {
      // Settles after the commit and after the workers were woken (once for the whole group).
      await insertGrouped(notifications.map((data, i) => rowOf(items[i]!, data, tenantId, active, now)));
      return { items, created: items.length };
    } catch (error) {
      if (!keyed || !isDuplicate(error)) throw error;
    }
  }
  for (let attempt = 1; ; attempt += 1) {
    try {
      const intake = await db.$transaction((tx) => insertNew(tx, tenantId, active, notifications));
      if (intake.created > 0) await wakeAfterCommit();
      return intake;
    } catch (error) {
      if (!(isDuplicate(error) || isBusySnapshot(error)) || attempt === 3) throw error;
    }
  }
}

type ActiveVersion = { noReplyAddress: string; version: number };

async function activeVersionOf(tenantId: string): Promise<ActiveVersion> {
  // One query for the pipeline and its active version (every intake call asks).
  const rows = await db.$queryRaw<{ version: number | bigint; noReplyAddress: string }[]>`
    SELECT c."version" AS "version", c."noReplyAddress" AS "noReplyAddress"
    FROM "TenantPipeline" p JOIN "ConfigVersion" c ON c."tenantId" = p."tenantId" AND c."version" = p."activeVersion"
    WHERE p."tenantId" = ${tenantId}`;
  const active = rows[0];
  if (!active) throw new AppError('CONFLICT', 'This tenant has no applied SMTP configuration yet, so nothing can be delivered.');
  return { version: Number(active.version), noReplyAddress: active.noReplyAddress };
}

type NotificationRow = ReturnType<typeof rowOf>;

/** The stored columns, in one place: name, SQL type and how the row gives it. */
const COLUMNS: TableColumn<NotificationRow>[] = (
  [
    ['id', 'text'],
    ['tenantId', 'text'],
    ['messageId', 'text'],
    ['kind', 'text'],
    ['subject', 'text'],
    ['text', 'text'],
    ['html', 'text'],
    ['recipients', 'text'],
    ['threadId', 'text'],
    ['idempotencyKey', 'text'],
    ['status', 'text'],
    ['nextAttemptAt', 'timestamp'],
    ['configVersion', 'int'],
    ['createdAt', 'timestamp'],
  ] as const
).map(([name, type]) => ({ name, type, value: (row: NotificationRow) => row[name] }));

/**
 * All the rows in ONE INSERT statement, so all or none of them are stored without an interactive
 * transaction. Prisma's createMany took about 2–4 ms per row here (its mapping, and on SQLite several
 * statements for 500 rows). The rows go in as one table expression (`rowsAsTable`: arrays on PostgreSQL,
 * a VALUES list on SQLite).
 */
async function insertRows(client: Pick<Tx, '$executeRawUnsafe'>, rows: NotificationRow[]): Promise<void> {
  const { values, p } = sqlParams();
  const table = rowsAsTable(p, rows, COLUMNS);
  await client.$executeRawUnsafe(`INSERT INTO "Notification" (${COLUMNS.map((c) => `"${c.name}"`).join(', ')}) ${table}`, ...values);
}

/** A unique index refused a row: Prisma's P2002, or the database's own code when the statement was raw. */
/** SQLite: the transaction read, then a worker committed before it could write (WAL snapshot too old): run it again. */
function isBusySnapshot(error: unknown): boolean {
  return /SQLITE_BUSY|database is locked/i.test(`${(error as { message?: unknown })?.message ?? ''} ${JSON.stringify((error as { meta?: unknown })?.meta ?? '')}`);
}

function isDuplicate(error: unknown): boolean {
  if (isUniqueViolation(error)) return true;
  const text = `${(error as { message?: unknown })?.message ?? ''} ${JSON.stringify((error as { meta?: unknown })?.meta ?? '')}`;
  return /UNIQUE constraint failed|SQLITE_CONSTRAINT_UNIQUE|23505|duplicate key value/i.test(text);
}

function rowOf(item: Enqueued, data: NotificationData, tenantId: string, active: ActiveVersion, now: Date) {
  return {
    ...item,
    tenantId,
    kind: data.kind,
    subject: data.subject,
    text: data.text,
    html: data.html ?? null,
    recipients: JSON.stringify(data.to),
    threadId: data.threadId ?? null,
    idempotencyKey: data.idempotencyKey ?? null,
    status: 'queued',
    nextAttemptAt: now,
    configVersion: active.version,
    createdAt: now,
  };
}

// Group commit. The rows of the calls that arrive in one turn of the event loop, and of those that arrive
// while an INSERT is being written, go in together as one INSERT: one statement, so one commit for all of them.
// Each caller's promise settles only after the statement that holds its row has committed. SQLite has
// one writer, so one statement in flight; PostgreSQL takes a few at once from its connection pool.
// A call's rows are one unit: they share a statement with other calls' rows, and are never split.
type Pending = { rows: NotificationRow[]; resolve: () => void; reject: (error: unknown) => void };
const GROUP_MAX_ROWS = 1_000;
const IN_FLIGHT_MAX = isPostgres ? 4 : 1;
const waiting: Pending[] = [];
let inFlight = 0;
let statements = 0;
let pumpScheduled = false;

/** How many INSERT statements grouped calls have needed in this process (tests: grouping works). */
export function groupedInsertStatements(): number {
  return statements;
}

function insertGrouped(rows: NotificationRow[]): Promise<void> {
  return new Promise((resolve, reject) => {
    waiting.push({ rows, resolve, reject });
    // Written at the end of this turn of the event loop, not at once: a server reads each request in an
    // I/O callback of its own and runs it as far as it goes before the next, so on SQLite (a statement runs
    // synchronously) a call that wrote at once was always alone in its statement. Measured over HTTP with
    // 50 callers: 1 row per INSERT before, ~28 after (tests/pipeline/intake-grouped.test.ts).
    if (pumpScheduled) return;
    pumpScheduled = true;
    setImmediate(() => {
      pumpScheduled = false;
      pump();
    });
  });
}

function pump(): void {
  while (inFlight < IN_FLIGHT_MAX && waiting.length > 0) {
    let take = 1;
    let rows = waiting[0]!.rows.length;
    while (take < waiting.length && rows + waiting[take]!.rows.length <= GROUP_MAX_ROWS) rows += waiting[take++]!.rows.length;
    const group = waiting.splice(0, take);
    inFlight += 1;
    void writeGroup(group).finally(() => {
      inFlight -= 1;
      pump();
    });
  }
}

async function writeGroup(group: Pending[]): Promise<void> {
  try {
    statements += 1;
    await insertRows(
      db,
      group.flatMap((p) => p.rows),
    );
    // After the commit, once for every call in the group: a woken worker finds all their rows.
    await wakeAfterCommit();
    for (const p of group) p.resolve();
  } catch (error) {
    if (group.length === 1) return group[0]!.reject(error);
    // One row broke the statement (an idempotency key already taken): nothing of it was stored, so each
    // row on its own, and only that one fails.
    statements += group.length;
    await Promise.all(group.map((p) => insertRows(db, p.rows).then(p.resolve, p.reject)));
    await wakeAfterCommit();
  }
}

/** The rows are stored whatever happens here: a wake-up that fails costs a poll, never the caller's 202. */
function wakeAfterCommit(): Promise<void> {
  return wakeWorkers().catch((error: unknown) => logError('could not wake the workers; they find the rows at their next poll', error));
}

async function insertNew(tx: Tx, tenantId: string, active: ActiveVersion, notifications: NotificationData[]): Promise<Intake> {
  const now = new Date();
  const keys = [...new Set(notifications.map((n) => n.idempotencyKey).filter((k): k is string => !!k))];
  const known = new Map<string, Enqueued>();
  if (keys.length > 0) {
    const rows = await tx.notification.findMany({
      where: { tenantId, idempotencyKey: { in: keys } },
      select: { id: true, messageId: true, idempotencyKey: true, createdAt: true },
    });
    const expired = rows.filter((r) => now.getTime() - r.createdAt.getTime() >= IDEMPOTENCY_WINDOW_MS);
    // A key older than the window names a new notification: the old row lets go of it.
    if (expired.length > 0) await tx.notification.updateMany({ where: { id: { in: expired.map((r) => r.id) } }, data: { idempotencyKey: null } });
    for (const r of rows) if (!expired.includes(r)) known.set(r.idempotencyKey!, { id: r.id, messageId: r.messageId });
  }
  const items: Enqueued[] = [];
  const rows: NotificationRow[] = [];
  for (const data of notifications) {
    const repeat = data.idempotencyKey ? known.get(data.idempotencyKey) : undefined;
    if (repeat) {
      items.push(repeat);
      continue;
    }
    const item = { id: randomUUID(), messageId: newMessageId(active.noReplyAddress) };
    // The same key twice in one batch is one notification.
    if (data.idempotencyKey) known.set(data.idempotencyKey, item);
    items.push(item);
    rows.push(rowOf(item, data, tenantId, active, now));
  }
  if (rows.length > 0) await insertRows(tx, rows);
  return { items, created: rows.length };
}
