import 'server-only';
// PLACEHOLDER (branch `invites`): the real enqueueOwnMail is built on the `ownmail` branch (an outbox row in
// the caller's transaction, sent by the worker) and REPLACES this file at merge. Only the contract is
// shared. Here a mail is kept in memory under NODE_ENV=test, for tests/helpers/own-mail.ts, and otherwise
// dropped: nothing is sent, and the body (it may hold a one-time link) is never logged or stored.
import type { Tx } from '@/server/db';

export interface OwnMail {
  to: string;
  userId?: string | null;
  locale: 'en' | 'zh-CN';
  kind: string;
  subject: string;
  text: string;
  html: string;
  threadKey?: string;
  /** The body holds a one-time link or another secret. */
  sensitive?: boolean;
}

const queued = ((globalThis as { relaydeskOwnMailPlaceholder?: OwnMail[] }).relaydeskOwnMailPlaceholder ??= []);

export async function enqueueOwnMail(_tx: Tx, mail: OwnMail): Promise<void> {
  if (process.env.NODE_ENV === 'test') queued.push({ ...mail });
}

/** The placeholder's queue (NODE_ENV=test only), oldest first. */
export function placeholderOwnMail(): readonly OwnMail[] {
  return queued;
}
