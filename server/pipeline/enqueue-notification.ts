import 'server-only';
// Writes a notification to the outbox. The API answers 202 only after this commits, so an accepted
// notification survives any crash; the worker delivers it later.
import { randomUUID } from 'node:crypto';
import { db, type Tx } from '../db';
import { AppError } from '../app-error';
import { newMessageId } from './message-ids';
import type { NotificationData } from './notification-schema';

export type Enqueued = { id: string; messageId: string };

export async function enqueueNotification(tenantId: string, data: NotificationData): Promise<Enqueued> {
  const pipeline = await db.tenantPipeline.findUnique({ where: { tenantId } });
  const active = pipeline?.activeVersion
    ? await db.configVersion.findUnique({ where: { tenantId_version: { tenantId, version: pipeline.activeVersion } }, select: { noReplyAddress: true, version: true } })
    : null;
  if (!active) throw new AppError('CONFLICT', 'This tenant has no applied SMTP configuration yet, so nothing can be delivered.');
  const id = randomUUID();
  const messageId = newMessageId(active.noReplyAddress);
  const now = new Date();
  await db.notification.create({
    data: {
      id,
      tenantId,
      messageId,
      kind: data.kind,
      subject: data.subject,
      text: data.text,
      html: data.html ?? null,
      recipients: JSON.stringify(data.to),
      threadId: data.threadId ?? null,
      status: 'queued',
      nextAttemptAt: now,
      configVersion: active.version,
      createdAt: now,
    },
  });
  return { id, messageId };
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
