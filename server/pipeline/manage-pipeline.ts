import 'server-only';
// What a TAM (or admin) changes on a tenant's pipeline: pause/resume, limits, retrying dead letters. Audited.
import { z } from 'zod';
import { db } from '../db';
import { AppError } from '../app-error';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { parseOrThrow } from '../core/parse';
import { findVisibleTenant } from '../tenants/find-visible-tenant';
import type { RecipientState } from './recipient-states';

export const PipelinePatchSchema = z
  .object({
    paused: z.boolean({ message: 'choose' }).optional(),
    reason: z
      .string()
      .max(500, 'tooLong')
      .refine((v) => !/[\u0000-\u001f\u007f]/.test(v), 'controlCharacters')
      .optional(),
    maxConnections: z.coerce.number({ message: 'invalid' }).int('invalid').min(1, 'invalid').max(20, 'invalid').optional(),
    ratePerMinute: z.union([z.null(), z.coerce.number({ message: 'invalid' }).int('invalid').min(1, 'invalid').max(100_000, 'invalid')]).optional(),
  })
  .strict();
export type PipelinePatch = z.input<typeof PipelinePatchSchema>;

export async function updatePipeline(user: CurrentUser, slug: string, body: unknown, meta?: RequestMeta) {
  const tenant = await findVisibleTenant(user, slug, 'pipeline.manage');
  const patch = parseOrThrow(PipelinePatchSchema, body);
  return db.$transaction(async (tx) => {
    const current = await tx.tenantPipeline.upsert({ where: { tenantId: tenant.id }, create: { tenantId: tenant.id }, update: {} });
    const actor = actorOf(user, meta);
    if (patch.paused !== undefined && patch.paused !== current.paused) {
      const reason = patch.paused ? patch.reason?.trim() || `Paused by ${user.email}` : null;
      await tx.tenantPipeline.update({ where: { tenantId: tenant.id }, data: { paused: patch.paused, pausedReason: reason, pausedAt: patch.paused ? new Date() : null } });
      await recordEvent(tx, actor, {
        action: patch.paused ? 'pipeline.paused' : 'pipeline.resumed',
        tenantId: tenant.id,
        targetType: 'tenant-pipeline',
        targetId: tenant.id,
        before: { paused: current.paused, reason: current.pausedReason },
        after: { paused: patch.paused, reason },
      });
    }
    const limits = {
      maxConnections: patch.maxConnections ?? current.maxConnections,
      ratePerMinute: patch.ratePerMinute === undefined ? current.ratePerMinute : patch.ratePerMinute,
    };
    if (limits.maxConnections !== current.maxConnections || limits.ratePerMinute !== current.ratePerMinute) {
      await tx.tenantPipeline.update({ where: { tenantId: tenant.id }, data: limits });
      await recordEvent(tx, actor, {
        action: 'pipeline.limits_changed',
        tenantId: tenant.id,
        targetType: 'tenant-pipeline',
        targetId: tenant.id,
        before: { maxConnections: current.maxConnections, ratePerMinute: current.ratePerMinute },
        after: limits,
      });
    }
    return tx.tenantPipeline.findUniqueOrThrow({ where: { tenantId: tenant.id } });
  });
}

/** Puts dead letters back in the queue (one, or all of the tenant's); their Message-ID stays. */
export const RetriedSchema = z.object({ retried: z.number().int().describe('How many dead letters went back to the queue') });

export async function retryDeadLetters(user: CurrentUser, slug: string, notificationId: string | null, meta?: RequestMeta): Promise<z.infer<typeof RetriedSchema>> {
  const tenant = await findVisibleTenant(user, slug, 'pipeline.manage');
  return db.$transaction(async (tx) => {
    const where = { tenantId: tenant.id, status: 'dead', ...(notificationId ? { id: notificationId } : {}) };
    // Recipients that were dead letters are tried again; those already delivered are not sent twice.
    const withStates = await tx.notification.findMany({ where: { ...where, recipientStates: { not: null } }, select: { id: true, recipientStates: true } });
    for (const row of withStates) {
      const states = (JSON.parse(row.recipientStates!) as RecipientState[]).map((s) => (s.state === 'dead' ? { ...s, state: 'pending' as const } : s));
      await tx.notification.update({ where: { id: row.id }, data: { recipientStates: JSON.stringify(states) } });
    }
    const { count } = await tx.notification.updateMany({
      where,
      data: { status: 'queued', nextAttemptAt: new Date(), deadAt: null, attempts: 0, leaseOwner: null, leaseUntil: null },
    });
    if (notificationId && count === 0) throw new AppError('NOT_FOUND', 'No such dead letter.');
    await recordEvent(tx, actorOf(user, meta), {
      action: 'delivery.retried',
      tenantId: tenant.id,
      targetType: notificationId ? 'notification' : 'tenant-pipeline',
      targetId: notificationId ?? tenant.id,
      after: { retried: count },
    });
    return { retried: count };
  });
}
