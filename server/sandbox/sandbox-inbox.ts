import 'server-only';
import { z } from 'zod';
import type { Prisma } from '../generated/sqlite/client';
import { db } from '../db';
import { AppError } from '../app-error';
import { decodeCursor, encodeCursor } from '../core/keyset-cursor';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { requirePermission, tenantsVisibleTo } from '../authz/scopes';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { isSandboxMode, SANDBOX_MODES, type SandboxMode } from '@/lib/sandbox-modes';
import { parseHeaders, textBody, type Header } from './parse-message';

// What the demo sandbox received, and the switch that makes it misbehave (docs/decisions/014).
// An admin reads every message; a TAM only what Relaydesk sent for a tenant they are assigned to: a
// message whose Message-ID is a notification or a test email of that tenant. Mail the sandbox got from
// anyone else (any SMTP client with the sandbox password) belongs to no tenant: admins only. Relaydesk's own
// mail is read by the user it was sent to.
// The behaviour is one switch for the whole sandbox, so only an admin may turn it.

export type SandboxMessageSummary = {
  id: string;
  receivedAt: string;
  mailFrom: string;
  rcptTo: string[];
  headerFrom: string;
  headerTo: string;
  subject: string;
  messageId: string | null;
  authUser: string | null;
};

export type SandboxMessageView = SandboxMessageSummary & {
  headers: Header[];
  /** The first text/plain part, decoded; null when there is none. */
  text: string | null;
  raw: string;
};

const PAGE_SIZE = 25;
const MODE_KEY = 'mode';

type Row = Awaited<ReturnType<typeof db.sandboxMessage.findFirstOrThrow>>;

function parseRecipients(json: string): string[] {
  try {
    const list: unknown = JSON.parse(json);
    return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

function toSummary(row: Omit<Row, 'raw'>): SandboxMessageSummary {
  return {
    id: row.id,
    receivedAt: row.receivedAt.toISOString(),
    mailFrom: row.mailFrom,
    rcptTo: parseRecipients(row.rcptTo),
    headerFrom: row.headerFrom,
    headerTo: row.headerTo,
    subject: row.subject,
    messageId: row.messageId,
    authUser: row.authUser,
  };
}

/** Which sandbox messages this user may read, as a where clause. */
async function visibleToUser(user: CurrentUser): Promise<Prisma.SandboxMessageWhereInput> {
  requirePermission(user, 'sandbox.use');
  if (user.role === 'admin') return {};
  // The inbox keeps at most SANDBOX_KEEP messages, so these lists stay short.
  const received = await db.sandboxMessage.findMany({ where: { messageId: { not: null } }, select: { messageId: true } });
  const ids = [...new Set(received.map((m) => m.messageId!))];
  if (ids.length === 0) return { id: { in: [] } };
  const tenants = (await db.tenant.findMany({ where: tenantsVisibleTo(user), select: { id: true } })).map((t) => t.id);
  const sent = { messageId: { in: ids }, tenantId: { in: tenants } };
  const [notifications, testEmails, ownMail] = await Promise.all([
    db.notification.findMany({ where: sent, select: { messageId: true } }),
    db.probeRun.findMany({ where: sent, select: { messageId: true } }),
    // Relaydesk's own mail to this user (docs/decisions/022): their notices, readable in the demo inbox.
    db.ownMail.findMany({ where: { messageId: { in: ids }, OR: [{ userId: user.id }, { toAddress: user.email }] }, select: { messageId: true } }),
  ]);
  return { messageId: { in: [...notifications, ...testEmails, ...ownMail].map((m) => m.messageId!) } };
}

/** Newest first, keyset-paginated on (receivedAt, id); only the messages the user may read. */
export async function listSandboxMessages(user: CurrentUser, { cursor }: { cursor?: string } = {}): Promise<{ items: SandboxMessageSummary[]; nextCursor: string | null }> {
  const visible = await visibleToUser(user);
  const after = cursor ? decodeCursor(cursor) : null;
  const t = after ? new Date(after.t) : null;
  const rows = await db.sandboxMessage.findMany({
    where: { AND: [visible, t && after ? { OR: [{ receivedAt: { lt: t } }, { receivedAt: t, id: { lt: after.id } }] } : {}] },
    orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
    take: PAGE_SIZE + 1,
    omit: { raw: true },
  });
  const page = rows.slice(0, PAGE_SIZE);
  const last = page.at(-1);
  return {
    items: page.map(toSummary),
    nextCursor: rows.length > PAGE_SIZE && last ? encodeCursor({ t: last.receivedAt.toISOString(), id: last.id }) : null,
  };
}

export async function getSandboxMessage(user: CurrentUser, id: string): Promise<SandboxMessageView> {
  const visible = await visibleToUser(user);
  const row = z.uuid().safeParse(id).success ? await db.sandboxMessage.findFirst({ where: { AND: [{ id }, visible] } }) : null;
  if (!row) throw new AppError('NOT_FOUND', 'No such sandbox message.');
  return { ...toSummary(row), headers: parseHeaders(row.raw), text: textBody(row.raw), raw: row.raw };
}

/** Read by the sandbox at each step of a conversation; 'normal' until someone switches it. */
export async function getSandboxMode(): Promise<SandboxMode> {
  const row = await db.sandboxSetting.findUnique({ where: { key: MODE_KEY } });
  return isSandboxMode(row?.value) ? row.value : 'normal';
}

export async function setSandboxMode(user: CurrentUser, mode: unknown, meta?: RequestMeta): Promise<SandboxMode> {
  requirePermission(user, 'sandbox.configure');
  if (!isSandboxMode(mode)) {
    throw new AppError('VALIDATION_FAILED', 'Unknown sandbox mode.', { errors: [{ path: 'mode', message: `one of ${SANDBOX_MODES.join(', ')}` }] });
  }
  await db.$transaction(async (tx) => {
    const before = await tx.sandboxSetting.findUnique({ where: { key: MODE_KEY } });
    const previous = isSandboxMode(before?.value) ? before.value : 'normal';
    await tx.sandboxSetting.upsert({ where: { key: MODE_KEY }, create: { key: MODE_KEY, value: mode }, update: { value: mode } });
    await recordEvent(tx, actorOf(user, meta), {
      action: 'sandbox.mode_changed',
      targetType: 'sandbox',
      targetId: MODE_KEY,
      before: { mode: previous },
      after: { mode },
    });
  });
  return mode;
}
