import 'server-only';
import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { summarizeMessage } from './parse-message';

/** The inbox keeps only the newest messages: it is a demo, not a mail store. */
export const SANDBOX_KEEP = 500;

export type ReceivedSandboxMessage = { mailFrom: string; rcptTo: string[]; authUser: string | null; raw: string };

export async function storeSandboxMessage(message: ReceivedSandboxMessage): Promise<string> {
  const id = randomUUID();
  await db.sandboxMessage.create({
    data: {
      id,
      receivedAt: new Date(),
      mailFrom: message.mailFrom,
      rcptTo: JSON.stringify(message.rcptTo),
      authUser: message.authUser,
      raw: message.raw,
      ...summarizeMessage(message.raw),
    },
  });
  const older = await db.sandboxMessage.findMany({
    orderBy: [{ receivedAt: 'desc' }, { id: 'desc' }],
    skip: SANDBOX_KEEP,
    select: { id: true },
  });
  if (older.length > 0) await db.sandboxMessage.deleteMany({ where: { id: { in: older.map((m) => m.id) } } });
  return id;
}
