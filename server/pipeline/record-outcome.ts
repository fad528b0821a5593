import 'server-only';
// What the worker writes after a send that did not simply succeed, each in one transaction with its audit.
import { db } from '../db';
import { recordEvent, SYSTEM_ACTOR } from '../audit/record-event';
import { copyVersion } from '../config-versions/rollback-config';
import { shortenReply } from '../smtp/text-budget';

const WORKER_ACTOR = { ...SYSTEM_ACTOR, label: 'notification worker' };

/** The watchdog recycled a tenant's lane: shown on the tenant's pipeline status until the next one. */
export async function recordRecycledLane(tenantId: string, reason: string): Promise<void> {
  await db.tenantPipeline.updateMany({ where: { tenantId }, data: { recycledAt: new Date(), recycledReason: shortenReply(reason) } });
}

// Every reply reaching these functions is already redacted and shortened (stored-reply.ts). `states` is the
// per-recipient JSON (recipient-states.ts) when the notification has one.

export async function scheduleRetry(owner: string, id: string, reply: string, nextAttemptAt: Date, states?: string): Promise<void> {
  await db.notification.updateMany({
    where: { id, leaseOwner: owner },
    data: {
      status: 'retrying',
      attempts: { increment: 1 },
      nextAttemptAt,
      lastReply: reply,
      lastErrorAt: new Date(),
      leaseOwner: null,
      leaseUntil: null,
      ...(states ? { recipientStates: states } : {}),
    },
  });
}

export async function markDead(owner: string, id: string, reply: string, version: number | null, states?: string): Promise<void> {
  const now = new Date();
  await db.notification.updateMany({
    where: { id, leaseOwner: owner },
    data: {
      status: 'dead',
      attempts: { increment: 1 },
      deadAt: now,
      lastReply: reply,
      lastErrorAt: now,
      leaseOwner: null,
      leaseUntil: null,
      ...(version ? { configVersion: version } : {}),
      ...(states ? { recipientStates: states } : {}),
    },
  });
}

export type RecipientsOutcome = { status: 'queued' | 'retrying' | 'dead' | 'delivered'; states: string; lastReply: string; failed: boolean; version: number; nextAttemptAt: Date };

/** A send with results per recipient: the notification's status follows its recipients (recipient-states.ts). */
export async function recordRecipients(owner: string, id: string, outcome: RecipientsOutcome): Promise<void> {
  const now = new Date();
  const { status } = outcome;
  await db.notification.updateMany({
    where: { id, leaseOwner: owner },
    data: {
      status,
      attempts: { increment: 1 },
      recipientStates: outcome.states,
      lastReply: outcome.lastReply,
      configVersion: outcome.version,
      leaseOwner: null,
      leaseUntil: null,
      ...(outcome.failed ? { lastErrorAt: now } : {}),
      ...(status === 'retrying' || status === 'queued' ? { nextAttemptAt: outcome.nextAttemptAt } : {}),
      ...(status === 'delivered' ? { sentAt: now } : {}),
      ...(status === 'dead' ? { deadAt: now } : {}),
    },
  });
}

/** Why a relay refusal pauses the tenant: what the customer (or their mail admin) has to change. */
export function relayPauseReason(version: number, reply: string): string {
  return `Version ${version}: the server does not relay for Relaydesk (${reply}). Authenticate, or ask the mail admin to permit relaying from the platform's addresses.`;
}

/**
 * An authentication (or destination) failure: every message would fail the same way, so the tenant is
 * paused and this message goes back to the queue without counting an attempt. Only when the version that
 * failed is still the active one: a version applied in the meantime deserves its own try.
 */
export async function pauseTenant(
  owner: string,
  id: string,
  tenantId: string,
  version: number,
  reply: string,
  options: { reason?: string; states?: string } = {},
): Promise<boolean> {
  return db.$transaction(async (tx) => {
    await tx.notification.updateMany({
      where: { id, leaseOwner: owner },
      data: { lastReply: reply, lastErrorAt: new Date(), leaseOwner: null, leaseUntil: null, ...(options.states ? { recipientStates: options.states } : {}) },
    });
    const reason = shortenReply(options.reason ?? `Version ${version}: ${reply}`);
    const { count } = await tx.tenantPipeline.updateMany({
      where: { tenantId, activeVersion: version, paused: false },
      data: { paused: true, pausedReason: reason, pausedAt: new Date() },
    });
    if (count === 0) return false;
    await recordEvent(tx, WORKER_ACTOR, {
      action: 'pipeline.paused',
      tenantId,
      targetType: 'tenant-pipeline',
      targetId: tenantId,
      before: { paused: false },
      after: { paused: true, reason, notificationId: id },
    });
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
      data: { status: 'dead', deadAt: new Date(), attempts: { increment: 1 }, lastReply: reply, lastErrorAt: new Date(), leaseOwner: null, leaseUntil: null },
    });
    if (count === 0) return 'superseded';
    const reason = shortenReply(`The canary of version ${version} failed: ${reply}`);
    await recordEvent(tx, WORKER_ACTOR, { action: 'config.canary_failed', tenantId, targetType: 'notification', targetId: id, after: { version, reply } });
    const pipeline = await tx.tenantPipeline.findUnique({ where: { tenantId } });
    if (pipeline?.activeVersion !== version) return 'superseded';
    const previous = await tx.configVersion.findFirst({ where: { tenantId, version: { lt: version } }, orderBy: { version: 'desc' }, select: { version: true } });
    if (previous) {
      await copyVersion(tx, { tenantId, from: previous.version, source: 'auto-rollback', actor: WORKER_ACTOR, appliedById: null, reason });
      return 'rolled-back';
    }
    await tx.tenantPipeline.update({ where: { tenantId }, data: { paused: true, pausedReason: reason, pausedAt: new Date() } });
    await recordEvent(tx, WORKER_ACTOR, {
      action: 'pipeline.paused',
      tenantId,
      targetType: 'tenant-pipeline',
      targetId: tenantId,
      before: { paused: false },
      after: { paused: true, reason },
    });
    return 'paused';
  });
}
