// The mail Relaydesk queued for itself, as tests read it. On branch `invites` it reads the placeholder's
// in-memory list (server/own-mail/enqueue-own-mail.ts); after the merge with `ownmail` point it at the outbox.
import { placeholderOwnMail, type OwnMail } from '@/server/own-mail/enqueue-own-mail';

// The placeholder keeps mail only under NODE_ENV=test; set before any mail is queued.
(process.env as Record<string, string>).NODE_ENV = 'test';

/** Every mail queued to `to` (case-insensitive), oldest first. */
export async function readQueuedOwnMail(to?: string): Promise<OwnMail[]> {
  return placeholderOwnMail().filter((m) => !to || m.to.toLowerCase() === to.toLowerCase());
}
