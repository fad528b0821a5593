import 'server-only';
// Leases on the OwnMail outbox, the same way as on the tenants' (server/pipeline/outbox-leases.ts): a
// worker claims due rows by writing its id and a lease deadline in one statement; a killed worker's rows
// come back when the deadline passes and are sent again with the Message-ID fixed at enqueue.
import { db } from '../db';
import { AS_INT, AS_TIMESTAMP, SKIP_LOCKED, sqlParams, sqlTime } from '../db-dialect';

export type ClaimedOwnMail = {
  id: string;
  messageId: string;
  kind: string;
  toAddress: string;
  locale: string;
  subject: string;
  text: string;
  html: string;
  sensitive: boolean;
  threadKey: string | null;
  attempts: number;
  createdAt: Date;
};

const COLUMNS = ['id', 'messageId', 'kind', 'toAddress', 'locale', 'subject', 'text', 'html', 'sensitive', 'threadKey', 'attempts', 'createdAt'];
type Raw = Omit<ClaimedOwnMail, 'sensitive' | 'attempts' | 'createdAt'> & { sensitive: boolean | number; attempts: number | bigint; createdAt: Date | string };

export async function claimOwnMail(owner: string, leaseMs: number, limit: number, now = new Date()): Promise<ClaimedOwnMail[]> {
  if (limit <= 0) return [];
  const { values, p } = sqlParams();
  const TS = AS_TIMESTAMP;
  const sql = `
    UPDATE "OwnMail" SET "leaseOwner" = ${p(owner)}, "leaseUntil" = ${p(sqlTime(new Date(now.getTime() + leaseMs)))}${TS}
    WHERE "id" IN (
      SELECT "id" FROM "OwnMail"
      WHERE "status" IN ('queued', 'retrying') AND "nextAttemptAt" <= ${p(sqlTime(now))}${TS}
        AND ("leaseUntil" IS NULL OR "leaseUntil" < ${p(sqlTime(now))}${TS})
      ORDER BY "nextAttemptAt"
      LIMIT ${p(limit)}${AS_INT}${SKIP_LOCKED}
    )
    RETURNING ${COLUMNS.map((c) => `"${c}"`).join(', ')}`;
  const rows = await db.$queryRawUnsafe<Raw[]>(sql, ...values);
  return rows.map((r) => ({ ...r, sensitive: r.sensitive === true || r.sensitive === 1, attempts: Number(r.attempts), createdAt: new Date(r.createdAt) }));
}

export async function renewOwnMailLeases(owner: string, ids: string[], leaseMs: number): Promise<void> {
  if (ids.length === 0) return;
  await db.ownMail.updateMany({ where: { id: { in: ids }, leaseOwner: owner }, data: { leaseUntil: new Date(Date.now() + leaseMs) } });
}

export async function releaseOwnMail(owner: string, ids: string[]): Promise<void> {
  if (ids.length === 0) return;
  await db.ownMail.updateMany({ where: { id: { in: ids }, leaseOwner: owner }, data: { leaseOwner: null, leaseUntil: null } });
}

/** Marked at once after each send (not batched): the window in which a crash causes a resend stays one statement wide. */
export async function markOwnMailSent(owner: string, id: string, reply: string): Promise<void> {
  await db.ownMail.updateMany({
    where: { id, leaseOwner: owner },
    data: { status: 'sent', sentAt: new Date(), attempts: { increment: 1 }, lastReply: reply, leaseOwner: null, leaseUntil: null },
  });
}

export async function retryOwnMail(owner: string, id: string, reply: string, nextAttemptAt: Date): Promise<void> {
  await db.ownMail.updateMany({
    where: { id, leaseOwner: owner },
    data: { status: 'retrying', attempts: { increment: 1 }, nextAttemptAt, lastReply: reply, lastErrorAt: new Date(), leaseOwner: null, leaseUntil: null },
  });
}

export async function markOwnMailDead(owner: string, id: string, reply: string): Promise<void> {
  const now = new Date();
  await db.ownMail.updateMany({
    where: { id, leaseOwner: owner },
    data: { status: 'dead', attempts: { increment: 1 }, deadAt: now, lastReply: reply, lastErrorAt: now, leaseOwner: null, leaseUntil: null },
  });
}
