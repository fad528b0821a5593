import 'server-only';
// A request's status timeline is read from the audit trail: one record of what happened, not two.
import { db } from '../db';
import type { CurrentUser } from '../auth/current-user';
import { findVisibleRequest } from './get-request';

export type TimelineEntry = { seq: number; at: string; action: string; actor: string; from: string | null; to: string | null };

export async function requestTimeline(user: CurrentUser, requestId: string): Promise<TimelineEntry[]> {
  await findVisibleRequest(user, requestId);
  const events = await db.auditEvent.findMany({
    where: { targetId: requestId, action: { in: ['request.created', 'request.status_changed', 'request.edited'] } },
    orderBy: { seq: 'asc' },
  });
  return events.map((e) => {
    const before = e.before ? (JSON.parse(e.before) as { status?: string }) : {};
    const after = e.after ? (JSON.parse(e.after) as { status?: string }) : {};
    return { seq: e.seq, at: e.at.toISOString(), action: e.action, actor: e.actorLabel.replace(/ \(token\)$/, ''), from: before.status ?? null, to: after.status ?? null };
  });
}
