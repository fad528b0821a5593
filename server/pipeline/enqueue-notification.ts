import 'server-only';
// Writes a notification to the outbox. The API answers 202 only after this commits, so an accepted
// notification survives any crash; the worker delivers it later.
import { randomUUID } from 'node:crypto';
import { db, type Tx } from '../db';
import { isUniqueViolation } from '../config-versions/create-config-version';
import { AppError } from '../app-error';
import { newMessageId } from './message-ids';
import { wakeWorkers } from './wake-workers';
import { IDEMPOTENCY_WINDOW_MS, type NotificationData } from './notification-schema';

export type Enqueued = { id: string; messageId: string };
export type Intake = { items: Enqueued[]; /** How many were new (the others repeated an idempotency key). */ created: number };

/**
 * Stores notifications in one transaction (all or none). A notification whose idempotency key this tenant
 * used within the last 7 days is not stored again: its answer is the original { id, messageId }. When two
 * callers race with the same key, the unique index lets one insert win; the other transaction fails and is
 * run again, and then finds the winner's row.
 */
export async function enqueueNotifications(tenantId: string, notifications: NotificationData[]): Promise<Intake> {
  const active = await activeVersionOf(tenantId);
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.$transaction((tx) => insertNew(tx, tenantId, active, notifications));
    } catch (error) {
      if (!isUniqueViolation(error) || attempt === 3) throw error;
    }
  }
}

async function activeVersionOf(tenantId: string) {
  const pipeline = await db.tenantPipeline.findUnique({ where: { tenantId }, select: { activeVersion: true } });
  const active = pipeline?.activeVersion
    ? await db.configVersion.findUnique({ where: { tenantId_version: { tenantId, version: pipeline.activeVersion } }, select: { noReplyAddress: true, version: true } })
    : null;
  if (!active) throw new AppError('CONFLICT', 'This tenant has no applied SMTP configuration yet, so nothing can be delivered.');
  return active;
}

async function insertNew(tx: Tx, tenantId: string, active: { noReplyAddress: string; version: number }, notifications: NotificationData[]): Promise<Intake> {
  const now = new Date();
  const keys = [...new Set(notifications.map((n) => n.idempotencyKey).filter((k): k is string => !!k))];
  const known = new Map<string, Enqueued>();
  if (keys.length > 0) {
    const rows = await tx.notification.findMany({ where: { tenantId, idempotencyKey: { in: keys } }, select: { id: true, messageId: true, idempotencyKey: true, createdAt: true } });
    const expired = rows.filter((r) => now.getTime() - r.createdAt.getTime() >= IDEMPOTENCY_WINDOW_MS);
    // A key older than the window names a new notification: the old row lets go of it.
    if (expired.length > 0) await tx.notification.updateMany({ where: { id: { in: expired.map((r) => r.id) } }, data: { idempotencyKey: null } });
    for (const r of rows) if (!expired.includes(r)) known.set(r.idempotencyKey!, { id: r.id, messageId: r.messageId });
  }
  const items: Enqueued[] = [];
  const rows = [];
  for (const data of notifications) {
    const repeat = data.idempotencyKey ? known.get(data.idempotencyKey) : undefined;
    if (repeat) {
      items.push(repeat);
      continue;
    }
    const item = { id: randomUUID(), messageId: newMessageId(active.noReplyAddress) };
    // The same key twice in one batch is one notification.
    if (data.idempotencyKey) known.set(data.idempotencyKey, item);
    items.push(item);
    rows.push({
      ...item,
      tenantId,
      kind: data.kind,
      subject: data.subject,
      text: data.text,
      html: data.html ?? null,
      recipients: JSON.stringify(data.to),
      threadId: data.threadId ?? null,
      idempotencyKey: data.idempotencyKey ?? null,
      status: 'queued',
      nextAttemptAt: now,
      configVersion: active.version,
      createdAt: now,
    });
  }
  if (rows.length > 0) await tx.notification.createMany({ data: rows });
  if (rows.length > 0) await wakeWorkers(tx);
  return { items, created: rows.length };
}

const CANARY_TEXT = [
  'This is the canary message Relaydesk sends after a new SMTP configuration is applied.',
  'It proves that the notification pipeline delivers through the new settings. You do not need to reply.',
  '',
  '这是 Relaydesk 在应用新的 SMTP 配置后发送的验证邮件，用于确认通知邮件能通过新设置投递。无需回复。',
].join('\n');

/** The post-apply canary: through exactly this version (not whatever is active when it is sent). */
export async function enqueueCanary(tx: Tx, tenantId: string, version: { version: number; noReplyAddress: string; testRecipient: string }): Promise<Enqueued> {
  const id = randomUUID();
  const messageId = newMessageId(version.noReplyAddress);
  const now = new Date();
  await tx.notification.create({
    data: {
      id,
      tenantId,
      messageId,
      kind: 'other',
      subject: `Relaydesk canary: SMTP configuration version ${version.version} / 配置版本 ${version.version}`,
      text: CANARY_TEXT,
      recipients: JSON.stringify([version.testRecipient]),
      canary: true,
      status: 'queued',
      nextAttemptAt: now,
      configVersion: version.version,
      createdAt: now,
    },
  });
  return { id, messageId };
}
