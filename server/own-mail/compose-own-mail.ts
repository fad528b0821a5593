import 'server-only';
// A claimed OwnMail row as the message the transport sends: the Message-ID given at enqueue, the thread's
// root id in In-Reply-To / References, List-Unsubscribe to the preferences page, Auto-Submitted (RFC 3834)
// so that vacation responders stay quiet. Sensitive bodies are decrypted here and nowhere else.
import type Mail from 'nodemailer/lib/mailer/index.js';
import { decryptSecret } from '../crypto/secret-box';
import { publicUrl } from '../env';
import { threadMessageId } from '../smtp/message-ids';
import { ownMailBinding } from './enqueue-own-mail';
import { addressOf, type OwnMailConfig } from './own-mail-config';
import type { ClaimedOwnMail } from './own-mail-leases';

/** Own mail threads live in one namespace beside the tenants' (whose thread ids are tenant ids). */
const THREAD_NAMESPACE = 'relaydesk-own-mail';

export const PREFERENCES_PATH = '/profile#notification-preferences';

export function composeOwnMail(row: ClaimedOwnMail, config: OwnMailConfig): Mail.Options {
  const open = (value: string, part: 'text' | 'html') => (row.sensitive ? decryptSecret(value, ownMailBinding(row.id, part)) : value);
  const thread = row.threadKey ? threadMessageId(THREAD_NAMESPACE, row.threadKey, addressOf(config.from)) : null;
  return {
    from: config.from,
    to: row.toAddress,
    subject: row.subject,
    text: open(row.text, 'text'),
    html: open(row.html, 'html'),
    messageId: row.messageId,
    ...(thread ? { inReplyTo: thread, references: [thread] } : {}),
    headers: {
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
      'List-Unsubscribe': `<${publicUrl()}${PREFERENCES_PATH}>`,
      'Content-Language': row.locale,
      // What kind of notice this is, for the recipient's filters (and the tests).
      'X-Relaydesk-Notification': row.kind,
    },
  };
}
