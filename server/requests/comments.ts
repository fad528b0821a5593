import 'server-only';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { db } from '../db';
import { AppError } from '../app-error';
import { CommentSchema, fieldErrors } from '@/lib/smtp-request-schema';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { requirePermission } from '../authz/scopes';
import { can, isStaff } from '../authz/permissions';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { findVisibleRequest } from './get-request';

export const CommentViewSchema = z.object({
  id: z.string(),
  body: z.string(),
  internal: z.boolean(),
  author: z.object({ name: z.string(), role: z.string(), staff: z.boolean() }),
  createdAt: z.string(),
});
export type CommentView = z.infer<typeof CommentViewSchema>;

export async function addComment(user: CurrentUser, requestId: string, body: unknown, meta?: RequestMeta): Promise<CommentView> {
  const request = await findVisibleRequest(user, requestId);
  requirePermission(user, 'request.comment');
  const parsed = CommentSchema.safeParse(body);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'Invalid comment.', { errors: fieldErrors(parsed.error) });
  if (parsed.data.internal && !can(user.role, 'request.comment.internal')) {
    throw new AppError('FORBIDDEN', 'Only staff can write internal comments.');
  }
  const id = randomUUID();
  const row = await db.$transaction(async (tx) => {
    const created = await tx.comment.create({ data: { id, requestId, authorId: user.id, body: parsed.data.body, internal: parsed.data.internal }, include: { author: true } });
    // Touch the request so lists sorted by activity show the answer.
    await tx.smtpRequest.update({ where: { id: requestId }, data: { updatedAt: new Date() } });
    const actor = actorOf(user, meta);
    await recordEvent(tx, actor, {
      action: 'request.commented',
      tenantId: request.tenantId,
      targetType: 'smtp-request',
      targetId: requestId,
      after: { commentId: id, internal: parsed.data.internal },
    });
    // The customer's public answer gives a request waiting on them back to its TAM.
    if (!isStaff(user.role) && !parsed.data.internal) {
      const { count } = await tx.smtpRequest.updateMany({ where: { id: requestId, status: 'needs_info' }, data: { status: 'in_review' } });
      if (count > 0) {
        await recordEvent(tx, actor, {
          action: 'request.status_changed',
          tenantId: request.tenantId,
          targetType: 'smtp-request',
          targetId: requestId,
          before: { status: 'needs_info' },
          after: { status: 'in_review', answeredBy: 'comment' },
        });
      }
    }
    return created;
  });
  return toCommentView(row);
}

export async function listComments(user: CurrentUser, requestId: string): Promise<CommentView[]> {
  await findVisibleRequest(user, requestId);
  const rows = await db.comment.findMany({
    where: { requestId, ...(isStaff(user.role) ? {} : { internal: false }) },
    orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
    include: { author: true },
  });
  return rows.map(toCommentView);
}

function toCommentView(row: { id: string; body: string; internal: boolean; createdAt: Date; author: { name: string; role: string } }): CommentView {
  return {
    id: row.id,
    body: row.body,
    internal: row.internal,
    author: { name: row.author.name, role: row.author.role, staff: !['customer-admin', 'customer-member'].includes(row.author.role) },
    createdAt: row.createdAt.toISOString(),
  };
}
