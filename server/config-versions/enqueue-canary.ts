import 'server-only';
// The canary an apply writes to the outbox, in the apply's own transaction: one notification through
// exactly the new version, to the configuration's test recipient. The pipeline delivers it like any other.
import { randomUUID } from 'node:crypto';
import type { Tx } from '../db';
import { newMessageId } from '../smtp/message-ids';

const CANARY_TEXT = [
  'This is the canary message Relaydesk sends after a new SMTP configuration is applied.',
  'It proves that the notification pipeline delivers through the new settings. You do not need to reply.',
  '',
  '这是 Relaydesk 在应用新的 SMTP 配置后发送的验证邮件，用于确认通知邮件能通过新设置投递。无需回复。',
].join('\n');

/** The post-apply canary: through exactly this version (not whatever is active when it is sent). */
export async function enqueueCanary(
  tx: Tx,
  tenantId: string,
  version: { version: number; noReplyAddress: string; testRecipient: string },
): Promise<{ id: string; messageId: string }> {
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
