import 'server-only';
// The one way anything in Relaydesk sends its own mail (notifications, invitations): a row in the OwnMail
// outbox, written in the caller's transaction, so the mail exists exactly when the event does. The worker
// sends it (server/own-mail/own-mail-lane.ts). Nothing is stored when own mail is not configured, and a
// disabled user gets nothing. See docs/decisions/022.
import { randomUUID } from 'node:crypto';
import type { Tx } from '@/server/db';
import { encryptSecret } from '../crypto/secret-box';
import { newMessageId } from '../smtp/message-ids';
import { addressOf, ownMailConfig } from './own-mail-config';

export interface OwnMail {
  to: string; // address
  userId?: string | null; // recipient user, when there is one (disabled users get nothing)
  locale: 'en' | 'zh-CN';
  kind: string; // e.g. 'invitation', 'request.needs_info'
  subject: string;
  text: string;
  html: string;
  threadKey?: string; // mails with one threadKey thread together (Message-ID / In-Reply-To / References)
  sensitive?: boolean; // body holds a one-time link: keep text/html encrypted at rest (server/crypto/secret-box.ts), decrypt only to send; never log it
}

/** The binding of a sensitive mail's ciphertexts: they decrypt only as this row's. */
export const ownMailBinding = (id: string, part: 'text' | 'html') => `own-mail:${id}:${part}`;

export async function enqueueOwnMail(tx: Tx, mail: OwnMail): Promise<void> {
  const config = ownMailConfig();
  if (!config) return;
  if (mail.userId) {
    const user = await tx.user.findUnique({ where: { id: mail.userId }, select: { disabledAt: true } });
    if (!user || user.disabledAt) return;
  }
  const id = randomUUID();
  const now = new Date();
  const seal = (value: string, part: 'text' | 'html') => (mail.sensitive ? encryptSecret(value, ownMailBinding(id, part)) : value);
  await tx.ownMail.create({
    data: {
      id,
      messageId: newMessageId(addressOf(config.from)),
      kind: mail.kind.slice(0, 100),
      toAddress: mail.to.trim(),
      userId: mail.userId ?? null,
      locale: mail.locale,
      subject: mail.subject.replace(/[\r\n]+/g, ' ').slice(0, 500),
      text: seal(mail.text, 'text'),
      html: seal(mail.html, 'html'),
      sensitive: Boolean(mail.sensitive),
      threadKey: mail.threadKey ?? null,
      status: 'queued',
      nextAttemptAt: now,
      createdAt: now,
    },
  });
}
