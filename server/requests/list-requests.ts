import 'server-only';
import { z } from 'zod';
import { db } from '../db';
import { AppError } from '../app-error';
import type { CurrentUser } from '../auth/current-user';
import { requestsVisibleTo, requirePermission } from '../authz/scopes';
import { REQUEST_STATUSES, type RequestStatus } from '@/lib/smtp-request-schema';
import { OPEN_STATUSES } from '@/lib/request-status';
import type { Prisma } from '../generated/sqlite/client';
import { REQUEST_INCLUDE, RequestViewSchema, toRequestView, type RequestRow } from './request-view';
import { containsIgnoringCase } from '../text-search';

/**
 * The queue's sorts: a column and a direction (`<column>` ascending, `<column>-desc` descending), kept
 * in the URL. "oldest" / "newest" are the waiting time (longest waiting first / last changed first).
 */
export const REQUEST_SORTS = ['oldest', 'newest', 'number', 'number-desc', 'tenant', 'tenant-desc', 'status', 'status-desc', 'server', 'server-desc'] as const;
export type RequestSort = (typeof REQUEST_SORTS)[number];

export const ListRequestsQuery = z.object({
  status: z.enum(REQUEST_STATUSES).optional(),
  tenant: z.string().max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  // The TAM queue is oldest waiting first; the customer's list is newest first. See REQUEST_SORTS.
  order: z.enum(REQUEST_SORTS).default('newest'),
  open: z.enum(['1']).optional(),
  /** Text search: a request number (1002 or SMTP-1002), a server address, a tenant's name or slug, a no-reply address. */
  q: z.string().trim().max(200).optional(),
  /** Only requests assigned to the signed-in user. */
  mine: z.enum(['1']).optional(),
  /** Only requests waiting on the customer (needs_info). */
  waiting: z.enum(['1']).optional(),
});
export type ListRequestsInput = z.input<typeof ListRequestsQuery>;

/** A page of requests; nextCursor is null on the last page. */
export const RequestPageSchema = z.object({ items: z.array(RequestViewSchema), nextCursor: z.string().nullable() });

function searchWhere(text: string) {
  const number = /^(?:smtp-?)?(\d{1,9})$/i.exec(text)?.[1];
  const like = containsIgnoringCase(text);
  return {
    OR: [...(number ? [{ number: Number(number) }] : []), { host: like }, { noReplyAddress: like }, { tenant: { slug: like } }, { tenant: { name: like } }],
  };
}

// Keyset pagination for every sort: the sort's keys end with a unique one (number, or id), and the
// cursor carries the last row's keys, so a page follows on from the last under concurrent inserts and
// with no OFFSET scans. Ties within tenant, status and server are broken by the waiting time (longest
// first), whichever way the column sorts. Status sorts by the workflow (submitted … withdrawn), not by
// its code's spelling: no column holds that rank, so a page walks the statuses in order, one query each
// until it is full (at most eight, usually one), each on (updatedAt, id).

type Dir = 'asc' | 'desc';
type KeyName = 'number' | 'updatedAt' | 'id' | 'tenantName' | 'host' | 'port';
type Key = { name: KeyName; dir: Dir };
type KeyValue = string | number;

const WAITING: Key[] = [
  { name: 'updatedAt', dir: 'asc' },
  { name: 'id', dir: 'asc' },
];

function keysOf(order: RequestSort): Key[] {
  const dir: Dir = order.endsWith('-desc') || order === 'newest' ? 'desc' : 'asc';
  switch (order) {
    case 'oldest':
    case 'newest':
      return WAITING.map((k) => ({ ...k, dir }));
    case 'number':
    case 'number-desc':
      return [{ name: 'number', dir }];
    case 'tenant':
    case 'tenant-desc':
      return [{ name: 'tenantName', dir }, ...WAITING];
    case 'server':
    case 'server-desc':
      return [{ name: 'host', dir }, { name: 'port', dir }, ...WAITING];
    case 'status':
    case 'status-desc':
      return WAITING;
  }
}

function valueOf(row: RequestRow, key: KeyName): KeyValue {
  if (key === 'tenantName') return row.tenant.name;
  if (key === 'updatedAt') return row.updatedAt.toISOString();
  return row[key];
}

function compared(key: KeyName, op: 'gt' | 'lt' | 'equals', value: KeyValue): Prisma.SmtpRequestWhereInput {
  const v = key === 'updatedAt' ? new Date(value) : value;
  if (key === 'tenantName') return { tenant: { name: { [op]: v } } };
  return { [key]: { [op]: v } };
}

/** Rows after `values` in the order of `keys`: (k1 > v1) or (k1 = v1 and k2 > v2) or … */
function after(keys: Key[], values: KeyValue[]): Prisma.SmtpRequestWhereInput {
  return {
    OR: keys.map((key, i) => ({
      AND: [...keys.slice(0, i).map((k, j) => compared(k.name, 'equals', values[j]!)), compared(key.name, key.dir === 'asc' ? 'gt' : 'lt', values[i]!)],
    })),
  };
}

function orderByOf(keys: Key[]): Prisma.SmtpRequestOrderByWithRelationInput[] {
  return keys.map((k) => (k.name === 'tenantName' ? { tenant: { name: k.dir } } : { [k.name]: k.dir }));
}

type Cursor = { o: RequestSort; s?: string; k: KeyValue[] };

function encodeListCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

function invalidCursor(): AppError {
  return new AppError('VALIDATION_FAILED', 'Invalid cursor.', { errors: [{ path: 'cursor', message: 'invalid (it belongs to another sort, or was changed)' }] });
}

/** A cursor is only good for the sort that made it, with one value of the right type per key. */
function decodeListCursor(value: string, order: RequestSort, keys: Key[]): Cursor {
  let c: Cursor;
  try {
    c = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as Cursor;
  } catch {
    throw invalidCursor();
  }
  const types = keys.map((k) => (k.name === 'number' || k.name === 'port' ? 'number' : 'string'));
  const ok =
    c?.o === order &&
    Array.isArray(c.k) &&
    c.k.length === keys.length &&
    c.k.every((v, i) => typeof v === types[i] && (keys[i]!.name !== 'updatedAt' || !Number.isNaN(Date.parse(v as string)))) &&
    (order.startsWith('status') ? (REQUEST_STATUSES as readonly string[]).includes(c.s ?? '') : c.s === undefined);
  if (!ok) throw invalidCursor();
  return c;
}

export async function listRequests(user: CurrentUser, input: ListRequestsInput): Promise<z.infer<typeof RequestPageSchema>> {
  requirePermission(user, 'request.read');
  const parsed = ListRequestsQuery.safeParse(input);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', 'Invalid query.', { errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  }
  const { status, tenant, cursor, limit, order, open, q, mine, waiting } = parsed.data;
  const keys = keysOf(order);
  const from = cursor ? decodeListCursor(cursor, order, keys) : null;
  const statuses: readonly string[] = waiting ? ['needs_info'] : status ? [status] : open ? OPEN_STATUSES : REQUEST_STATUSES;
  const scope: Prisma.SmtpRequestWhereInput[] = [
    requestsVisibleTo(user),
    { status: { in: [...statuses] } },
    tenant ? { tenant: { slug: tenant } } : {},
    mine ? { assigneeId: user.id } : {},
    q ? searchWhere(q) : {},
  ];
  const page = (where: Prisma.SmtpRequestWhereInput[], take: number) =>
    db.smtpRequest.findMany({ where: { AND: [...scope, ...where] }, orderBy: orderByOf(keys), take, include: REQUEST_INCLUDE });

  const rows: { row: RequestRow; status?: string }[] = [];
  if (order === 'status' || order === 'status-desc') {
    const walk = REQUEST_STATUSES.filter((s) => statuses.includes(s));
    if (order === 'status-desc') walk.reverse();
    const first = from ? walk.indexOf(from.s as RequestStatus) : 0;
    for (let i = Math.max(0, first); i < walk.length && rows.length <= limit; i++) {
      const s = walk[i]!;
      const found = await page([{ status: s }, from && i === first ? after(keys, from.k) : {}], limit + 1 - rows.length);
      rows.push(...found.map((row) => ({ row, status: s })));
    }
  } else {
    rows.push(...(await page(from ? [after(keys, from.k)] : [], limit + 1)).map((row) => ({ row })));
  }
  const shown = rows.slice(0, limit);
  const last = shown[shown.length - 1];
  return {
    items: shown.map(({ row }) => toRequestView(row)),
    nextCursor: rows.length > limit && last ? encodeListCursor({ o: order, ...(last.status ? { s: last.status } : {}), k: keys.map((k) => valueOf(last.row, k.name)) }) : null,
  };
}
