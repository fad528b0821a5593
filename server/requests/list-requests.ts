import 'server-only';
import { z } from 'zod';
import { db } from '../db';
import { AppError } from '../app-error';
import type { CurrentUser } from '../auth/current-user';
import { requestsVisibleTo, requirePermission } from '../authz/scopes';
import { REQUEST_STATUSES } from '@/lib/smtp-request-schema';
import { REQUEST_INCLUDE, RequestViewSchema, toRequestView } from './request-view';
import { decodeCursor, encodeCursor } from '../core/keyset-cursor';
import { containsIgnoringCase } from '../text-search';

export const REQUEST_SORTS = ['oldest', 'newest', 'number', 'number-desc'] as const;
export type RequestSort = (typeof REQUEST_SORTS)[number];

export const ListRequestsQuery = z.object({
  status: z.enum(REQUEST_STATUSES).optional(),
  tenant: z.string().max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  // The TAM queue is oldest waiting first; the customer's list is newest first. number / number-desc sort by request number.
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

const OPEN_STATUSES = ['submitted', 'in_review', 'needs_info', 'validated', 'tested'];

function searchWhere(text: string) {
  const number = /^(?:smtp-?)?(\d{1,9})$/i.exec(text)?.[1];
  const like = containsIgnoringCase(text);
  return {
    OR: [...(number ? [{ number: Number(number) }] : []), { host: like }, { noReplyAddress: like }, { tenant: { slug: like } }, { tenant: { name: like } }],
  };
}

/** Keyset pagination on (updatedAt, id), or on the unique number: stable under concurrent inserts, no OFFSET scans. */
export async function listRequests(user: CurrentUser, input: ListRequestsInput): Promise<z.infer<typeof RequestPageSchema>> {
  requirePermission(user, 'request.read');
  const parsed = ListRequestsQuery.safeParse(input);
  if (!parsed.success) {
    throw new AppError('VALIDATION_FAILED', 'Invalid query.', { errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  }
  const { status, tenant, cursor, limit, order, open, q, mine, waiting } = parsed.data;
  const byNumber = order === 'number' || order === 'number-desc';
  const asc = order === 'oldest' || order === 'number';
  const after = cursor ? decodeCursor(cursor) : null;
  const t = after ? new Date(after.t) : null;
  const afterNumber = byNumber && after ? Number(after.id) : null;
  if (afterNumber !== null && !Number.isInteger(afterNumber)) throw new AppError('VALIDATION_FAILED', 'Invalid cursor.', { errors: [{ path: 'cursor', message: 'invalid' }] });
  const rows = await db.smtpRequest.findMany({
    where: {
      AND: [
        requestsVisibleTo(user),
        waiting ? { status: 'needs_info' } : status ? { status } : open ? { status: { in: OPEN_STATUSES } } : {},
        tenant ? { tenant: { slug: tenant } } : {},
        mine ? { assigneeId: user.id } : {},
        q ? searchWhere(q) : {},
        afterNumber !== null
          ? { number: asc ? { gt: afterNumber } : { lt: afterNumber } }
          : t && after
            ? { OR: [{ updatedAt: asc ? { gt: t } : { lt: t } }, { updatedAt: t, id: asc ? { gt: after.id } : { lt: after.id } }] }
            : {},
      ],
    },
    orderBy: byNumber ? [{ number: asc ? 'asc' : 'desc' }] : [{ updatedAt: asc ? 'asc' : 'desc' }, { id: asc ? 'asc' : 'desc' }],
    take: limit + 1,
    include: REQUEST_INCLUDE,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toRequestView),
    nextCursor: rows.length > limit && last ? encodeCursor({ t: last.updatedAt.toISOString(), id: byNumber ? String(last.number) : last.id }) : null,
  };
}
