import 'server-only';
import { db } from '../db';
import type { Role } from './roles';
import { isBrowserSessionLive } from './sessions';

export type CurrentUser = {
  id: string;
  email: string;
  name: string;
  role: Role;
  tenantId: string | null;
  locale: string | null;
  via: 'session' | 'token';
  tokenId?: string;
  /** The browser session (via 'session'). */
  sessionId?: string;
};

/**
 * The user behind a session or token, or null when they are disabled — or, for a browser session, when its
 * row has ended (signed out) or expired, or it was signed in (`signedInAt`, ms) before the user last
 * changed their password.
 */
export async function loadActiveUser(
  id: string,
  via: CurrentUser['via'],
  options: { tokenId?: string; signedInAt?: number; sessionId?: string } = {},
): Promise<CurrentUser | null> {
  const { tokenId, signedInAt, sessionId } = options;
  const user = await db.user.findUnique({ where: { id } });
  if (!user || user.disabledAt) return null;
  if (via === 'session' && user.passwordChangedAt && (signedInAt ?? 0) < user.passwordChangedAt.getTime()) return null;
  if (via === 'session' && !(await isBrowserSessionLive(sessionId, user.id))) return null;
  return asCurrentUser(user, via, { tokenId, sessionId });
}

/** A user for trusted server code acting in their name (the demo seed): no request, so no session or token to check. */
export async function loadUserForServerCode(id: string): Promise<CurrentUser | null> {
  const user = await db.user.findUnique({ where: { id } });
  return user && !user.disabledAt ? asCurrentUser(user, 'session', {}) : null;
}

type UserRow = { id: string; email: string; name: string; role: string; tenantId: string | null; locale: string | null };
function asCurrentUser(user: UserRow, via: CurrentUser['via'], ids: { tokenId?: string; sessionId?: string }): CurrentUser {
  return { id: user.id, email: user.email, name: user.name, role: user.role as Role, tenantId: user.tenantId, locale: user.locale, via, ...ids };
}

/** A token's user, from the row the token lookup already read in the same query: null when disabled. */
export function activeTokenUser(user: (UserRow & { disabledAt: Date | null }) | null, tokenId: string): CurrentUser | null {
  return user && !user.disabledAt ? asCurrentUser(user, 'token', { tokenId }) : null;
}
