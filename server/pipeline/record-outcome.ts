import 'server-only';
// What the worker writes after a send that did not simply succeed, each in one transaction with its audit.
import { db } from '../db';
import { recordEvent, SYSTEM_ACTOR } from '../audit/record-event';
import { copyVersion } from '../config-versions/rollback-config';

const WORKER_ACTOR = { ...SYSTEM_ACTOR, label: 'notification worker' };

export async function scheduleRetry(owner: string, id: string, reply: string, nextAttemptAt: Date): Promise<void> {
  await db.notification.updateMany({
    where: { id, leaseOwner: owner },
    data: { status: 'retrying', attempts: { increment: 1 }, nextAttemptAt, lastReply: reply, leaseOwner: null, leaseUntil: null },
  });
}

export async function markDead(owner: string, id: string, reply: string, version: number | null): Promise<void> {
  await db.notification.updateMany({
    where: { id, leaseOwner: owner },
    data: { status: 'dead', attempts: { increment: 1 }, deadAt: new Date(), lastReply: reply, leaseOwner: null, leaseUntil: null, ...(version ? { configVersion: version } : {}) },
  });
}

/**
 * An authentication (or destination) failure: every message would fail the same way, so the tenant is
 * paused and this message goes back to the queue without counting an attempt. Only when the version that
 * failed is still the active one: a version applied in the meantime deserves its own try.
 */
export async function pauseTenant(owner: string, id: string, tenantId: string, version: number, reply: string): Promise<boolean> {
  return db.$transaction(async (tx) => {
    await tx.notification.updateMany({ where: { id, leaseOwner: owner }, data: { lastReply: reply, leaseOwner: null, leaseUntil: null } });
    const reason = `Version ${version}: ${reply}`.slice(0, 1000);
    const { count } = await tx.tenantPipeline.updateMany({ where: { tenantId, activeVersion: version, paused: false }, data: { paused: true, pausedReason: reason, pausedAt: new Date() } });
    if (count === 0) return false;
    await recordEvent(tx, WORKER_ACTOR, { action: 'pipeline.paused', tenantId, targetType: 'tenant-pipeline', targetId: tenantId, before: { paused: false }, after: { paused: true, reason, notificationId: id } });
    return true;
  });
}

export async function canaryDelivered(owner: string, id: string, tenantId: string, version: number, reply: string): Promise<void> {
  await db.$transaction(async (tx) => {
    const { count } = await tx.notification.updateMany({
      where: { id, leaseOwner: owner },
      data: { status: 'delivered', sentAt: new Date(), attempts: { increment: 1 }, lastReply: reply, leaseOwner: null, leaseUntil: null },
    });
    if (count === 0) return;
    await recordEvent(tx, WORKER_ACTOR, { action: 'config.canary_delivered', tenantId, targetType: 'notification', targetId: id, after: { version, reply } });
  });
}

/**
 * The canary of a version failed for good: if that version is still active, the tenant goes back to the
 * version before it (a new version copied from it, source auto-rollback); with nothing to go back to,
 * the tenant is paused. Either way the reason is audited and shown on the tenant page.
 */
export async function canaryFailed(owner: string, id: string, tenantId: string, version: number, reply: string): Promise<'rolled-back' | 'paused' | 'superseded'> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.notification.updateMany({
      where: { id, leaseOwner: owner },
      data: { status: 'dead', deadAt: new Date(), attempts: { increment: 1 }, lastReply: reply, leaseOwner: null, leaseUntil: null },
    });
    if (count === 0) return 'superseded';
    const reason = `The canary of version ${version} failed: ${reply}`.slice(0, 1000);
    await recordEvent(tx, WORKER_ACTOR, { action: 'config.canary_failed', tenantId, targetType: 'notification', targetId: id, after: { version, reply } });
    const pipeline = await tx.tenantPipeline.findUnique({ where: { tenantId } });
    if (pipeline?.activeVersion !== version) return 'superseded';
    const previous = await tx.configVersion.findFirst({ where: { tenantId, version: { lt: version } }, orderBy: { version: 'desc' }, select: { version: true } });
    if (previous) {
      await copyVersion(tx, { tenantId, from: previous.version, source: 'auto-rollback', actor: WORKER_ACTOR, appliedById: null, reason });
      return 'rolled-back';
    }
    await tx.tenantPipeline.update({ where: { tenantId }, data: { paused: true, pausedReason: reason, pausedAt: new Date() } });
    await recordEvent(tx, WORKER_ACTOR, { action: 'pipeline.paused', tenantId, targetType: 'tenant-pipeline', targetId: tenantId, before: { paused: false }, after: { paused: true, reason } });
    return 'paused';
  });
}
