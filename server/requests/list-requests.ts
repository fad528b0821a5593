import 'server-only';
import { z } from 'zod';
import { db } from '../db';
import { AppError } from '../app-error';
import type { CurrentUser } from '../auth/current-user';
import { requestsVisibleTo, requirePermission } from '../authz/scopes';
import { REQUEST_STATUSES } from '@/lib/smtp-request-schema';
import { REQUEST_INCLUDE, toRequestView, type RequestView } from './request-view';
import { decodeCursor, encodeCursor } from '../http/keyset-cursor';

export const ListRequestsQuery = z.object({
  status: z.enum(REQUEST_STATUSES).optional(),
  tenant: z.string().max(100).optional(),
  cursor: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
  // The TAM queue is oldest waiting first; the customer's list is newest first.
  order: z.enum(['newest', 'oldest']).default('newest'),
  open: z.enum(['1']).optional(),
});
export type ListRequestsInput = z.input<typeof ListRequestsQuery>;

const OPEN_STATUSES = ['submitted', 'in_review', 'needs_info', 'validated', 'tested'];

/** Keyset pagination on (updatedAt, id): stable under concurrent inserts, no OFFSET scans. */
export async function listRequests(user: CurrentUser, input: ListRequestsInput): Promise<{ items: RequestView[]; nextCursor: string | null }> {
  requirePermission(user, 'request.read');
  const q = ListRequestsQuery.safeParse(input);
  if (!q.success) {
    throw new AppError('VALIDATION_FAILED', 'Invalid query.', { errors: q.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) });
  }
  const { status, tenant, cursor, limit, order, open } = q.data;
  const asc = order === 'oldest';
  const after = cursor ? decodeCursor(cursor) : null;
  const t = after ? new Date(after.t) : null;
  const rows = await db.smtpRequest.findMany({
    where: {
      AND: [
        requestsVisibleTo(user),
        status ? { status } : open ? { status: { in: OPEN_STATUSES } } : {},
        tenant ? { tenant: { slug: tenant } } : {},
        t && after
          ? { OR: [{ updatedAt: asc ? { gt: t } : { lt: t } }, { updatedAt: t, id: asc ? { gt: after.id } : { lt: after.id } }] }
          : {},
      ],
    },
    orderBy: [{ updatedAt: asc ? 'asc' : 'desc' }, { id: asc ? 'asc' : 'desc' }],
    take: limit + 1,
    include: REQUEST_INCLUDE,
  });
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map(toRequestView),
    nextCursor: rows.length > limit && last ? encodeCursor({ t: last.updatedAt.toISOString(), id: last.id }) : null,
  };
}
