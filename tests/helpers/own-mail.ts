// The mail Relaydesk queued for itself, as tests read it: the OwnMail outbox rows, sensitive bodies
// decrypted as the worker would (server/own-mail/enqueue-own-mail.ts). Importing this helper configures
// own mail (an address nothing listens on, no worker runs in these tests): outside demo mode nothing is
// queued unless RELAYDESK_SMTP_URL is set.
import { db } from '@/server/db';
import { decryptSecret } from '@/server/crypto/secret-box';
import { ownMailBinding, type OwnMail } from '@/server/own-mail/enqueue-own-mail';

process.env.RELAYDESK_SMTP_URL ??= 'smtp://127.0.0.1:9?tls=none';
process.env.RELAYDESK_MAIL_FROM ??= 'Relaydesk <relaydesk@relaydesk.test>';

/** Every mail queued to `to` (case-insensitive), oldest first. */
export async function readQueuedOwnMail(to?: string): Promise<OwnMail[]> {
  const rows = await db.ownMail.findMany({ orderBy: [{ createdAt: 'asc' }, { id: 'asc' }] });
  return rows
    .filter((r) => !to || r.toAddress.toLowerCase() === to.toLowerCase())
    .map((r) => {
      const open = (value: string, part: 'text' | 'html') => (r.sensitive ? decryptSecret(value, ownMailBinding(r.id, part)) : value);
      return {
        to: r.toAddress,
        userId: r.userId,
        locale: r.locale as OwnMail['locale'],
        kind: r.kind,
        subject: r.subject,
        text: open(r.text, 'text'),
        html: open(r.html, 'html'),
        threadKey: r.threadKey ?? undefined,
        sensitive: r.sensitive,
      };
    });
}
