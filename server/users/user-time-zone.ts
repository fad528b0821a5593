import 'server-only';
// The time zone a user reads times in: the one they chose on their profile, else their browser's (reported
// into a cookie, so it follows them when they travel), else UTC. Every time shown says which zone it is in.
import { db } from '../db';
import { AppError } from '../app-error';

export const TIME_ZONE_COOKIE = 'relaydesk_tz';
export const DEFAULT_TIME_ZONE = 'UTC';

/** An IANA zone name this runtime knows (Asia/Shanghai, UTC); anything else is refused. */
export function isTimeZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64 || !/^[A-Za-z0-9_+\-/]+$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

export async function findUserTimeZone(userId: string): Promise<string | null> {
  const user = await db.user.findUnique({ where: { id: userId }, select: { timeZone: true } });
  return isTimeZone(user?.timeZone) ? user.timeZone : null;
}

/** Saves the user's choice; null (or '') goes back to the browser's zone. */
export async function saveUserTimeZone(userId: string, timeZone: string | null): Promise<void> {
  if (timeZone && !isTimeZone(timeZone)) throw new AppError('VALIDATION_FAILED', 'timeZone is not a known time zone.', { errors: [{ path: 'timeZone', message: 'invalid' }] });
  await db.user.update({ where: { id: userId }, data: { timeZone: timeZone || null } });
}
