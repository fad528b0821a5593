import 'server-only';
import { db } from '../db';

/**
 * The test email as the demo sandbox stored it, so the domain step can verify the DKIM signature it
 * carried. The sandbox writes it just after answering DATA: wait briefly. Null for any other server.
 */
export async function sandboxDeliveredMessage(messageId: string, waitMs = 2000): Promise<string | null> {
  const until = Date.now() + waitMs;
  for (;;) {
    const row = await db.sandboxMessage.findFirst({ where: { messageId }, select: { raw: true } });
    if (row) return row.raw;
    if (Date.now() >= until) return null;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
