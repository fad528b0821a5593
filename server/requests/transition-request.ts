import 'server-only';
import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { AppError } from '../app-error';
import { TransitionSchema, fieldErrors, type RequestStatus } from '@/lib/smtp-request-schema';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { can } from '../authz/permissions';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { findVisibleRequest } from './get-request';
import { REQUEST_INCLUDE, toRequestView, type RequestView } from './request-view';

type Rule = { from: RequestStatus[]; permission: 'request.review' | 'request.withdraw'; commentRequired: boolean };

// The lifecycle (README "What works today"; lib/request-status.ts for what each status allows): who may
// move a request from where to where.
export const TRANSITIONS: Record<'in_review' | 'needs_info' | 'rejected' | 'withdrawn', Rule> = {
  in_review: { from: ['submitted', 'needs_info'], permission: 'request.review', commentRequired: false },
  needs_info: { from: ['in_review', 'validated', 'tested'], permission: 'request.review', commentRequired: true },
  rejected: { from: ['submitted', 'in_review', 'validated', 'tested'], permission: 'request.review', commentRequired: true },
  withdrawn: { from: ['submitted', 'in_review', 'needs_info', 'validated', 'tested'], permission: 'request.withdraw', commentRequired: false },
};

export function allowedTransitions(user: CurrentUser, status: string): (keyof typeof TRANSITIONS)[] {
  return (Object.keys(TRANSITIONS) as (keyof typeof TRANSITIONS)[]).filter(
    (to) => can(user.role, TRANSITIONS[to].permission) && (TRANSITIONS[to].from as string[]).includes(status),
  );
}

export async function transitionRequest(user: CurrentUser, id: string, body: unknown, meta?: RequestMeta): Promise<RequestView> {
  const parsed = TransitionSchema.safeParse(body);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'Invalid transition.', { errors: fieldErrors(parsed.error) });
  const { to } = parsed.data;
  const comment = parsed.data.comment?.trim() ?? '';
  const current = await findVisibleRequest(user, id);
  const rule = TRANSITIONS[to];
  if (!can(user.role, rule.permission)) throw new AppError('FORBIDDEN', `Your role (${user.role}) may not move a request to ${to}.`);
  if (!(rule.from as string[]).includes(current.status)) {
    throw new AppError('INVALID_TRANSITION', `A request that is ${current.status} cannot move to ${to}.`);
  }
  if (rule.commentRequired && !comment) {
    throw new AppError('VALIDATION_FAILED', 'Say why.', { errors: [{ path: 'comment', message: 'required' }] });
  }
  const assigneeId = to === 'in_review' ? user.id : current.assigneeId;

  const row = await db.$transaction(async (tx) => {
    const { count } = await tx.smtpRequest.updateMany({ where: { id, status: current.status }, data: { status: to, assigneeId } });
    if (count === 0) throw new AppError('CONFLICT', 'Someone else changed this request first. Reload and try again.');
    const actor = actorOf(user, meta);
    await recordEvent(tx, actor, {
      action: 'request.status_changed',
      tenantId: current.tenantId,
      targetType: 'smtp-request',
      targetId: id,
      before: { status: current.status },
      after: { status: to, ...(comment ? { comment } : {}) },
    });
    if (comment) {
      const commentId = randomUUID();
      await tx.comment.create({ data: { id: commentId, requestId: id, authorId: user.id, body: comment, internal: false } });
      await recordEvent(tx, actor, { action: 'request.commented', tenantId: current.tenantId, targetType: 'smtp-request', targetId: id, after: { commentId, internal: false } });
    }
    return tx.smtpRequest.findUniqueOrThrow({ where: { id }, include: REQUEST_INCLUDE });
  });
  return toRequestView(row);
}
