import 'server-only';
// Message-IDs are fixed when a notification is stored, so a resend after a crash or a retry carries the
// same one and the recipient's mail client shows it once. Threads get a stable id from tenant + threadId.
import { createHash, randomUUID } from 'node:crypto';

export function domainOf(address: string): string {
  return address.split('@').pop()?.toLowerCase() || 'relaydesk.invalid';
}

export function newMessageId(noReplyAddress: string): string {
  return `<${randomUUID()}@${domainOf(noReplyAddress)}>`;
}

/** The Message-ID of a thread's root: what In-Reply-To and References point to. */
export function threadMessageId(tenantId: string, threadId: string, noReplyAddress: string): string {
  const digest = createHash('sha256').update(`${tenantId}\n${threadId}`, 'utf8').digest('hex').slice(0, 32);
  return `<thread-${digest}@${domainOf(noReplyAddress)}>`;
}
