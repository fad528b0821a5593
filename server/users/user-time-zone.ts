import 'server-only';
// The time zone a user reads times in: saved on the profile (first the browser's, then their own choice),
// else the browser's from a cookie, else UTC. Every time on a page is formatted in it and says which it is.
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

/** Saves the zone; `onlyIfUnset` is the browser's first report, which never overrides a user's own choice. */
export async function saveUserTimeZone(userId: string, timeZone: string, { onlyIfUnset = false } = {}): Promise<void> {
  if (!isTimeZone(timeZone)) throw new AppError('VALIDATION_FAILED', 'timeZone is not a known time zone.', { errors: [{ path: 'timeZone', message: 'invalid' }] });
  await db.user.updateMany({ where: { id: userId, ...(onlyIfUnset ? { timeZone: null } : {}) }, data: { timeZone } });
}
