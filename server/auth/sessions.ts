import 'server-only';
// Browser sessions are rows, not only signed cookies: the cookie names its row (sid), sign-out ends the
// row, so a copy of the cookie taken before sign-out is refused afterwards. A session lasts 8 hours from
// sign-in however active it is (the cookie's own expiry slides; this does not).
import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { recordEvent, type Actor } from '../audit/record-event';

export const SESSION_LIFETIME_MS = 8 * 60 * 60 * 1000;

export async function startBrowserSession(userId: string, now = new Date()): Promise<{ sid: string; signedInAt: number }> {
  const sid = randomUUID();
  await db.browserSession.create({ data: { id: sid, userId, createdAt: now, expiresAt: new Date(now.getTime() + SESSION_LIFETIME_MS) } });
  return { sid, signedInAt: now.getTime() };
}

/** Whether the session is the user's, not ended and not past its absolute lifetime. */
export async function isBrowserSessionLive(sid: string | undefined, userId: string): Promise<boolean> {
  if (!sid) return false;
  const row = await db.browserSession.findUnique({ where: { id: sid } });
  return !!row && row.userId === userId && row.endedAt === null && row.expiresAt.getTime() > Date.now();
}

/** Sign-out: this session ends (audited as auth.signed_out when it was still open). */
export async function endBrowserSession(sid: string | undefined, actor: Actor, tenantId: string | null): Promise<void> {
  if (!sid || !actor.id) return;
  await db.$transaction(async (tx) => {
    const { count } = await tx.browserSession.updateMany({ where: { id: sid, userId: actor.id!, endedAt: null }, data: { endedAt: new Date() } });
    if (count > 0) await recordEvent(tx, actor, { action: 'auth.signed_out', tenantId, targetType: 'user', targetId: actor.id });
  });
}

/** "Sign out everywhere": every open browser session of the user ends. Returns how many did. */
export async function endAllBrowserSessions(userId: string, actor: Actor, tenantId: string | null): Promise<number> {
  return db.$transaction(async (tx) => {
    const { count } = await tx.browserSession.updateMany({ where: { userId, endedAt: null }, data: { endedAt: new Date() } });
    await recordEvent(tx, actor, { action: 'auth.signed_out_everywhere', tenantId, targetType: 'user', targetId: userId, after: { sessions: count } });
    return count;
  });
}
