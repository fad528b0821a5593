import 'server-only';
import { db } from '../db';
import type { Role } from './roles';

export type CurrentUser = {
  id: string;
  email: string;
  name: string;
  role: Role;
  tenantId: string | null;
  locale: string | null;
  via: 'session' | 'token';
  tokenId?: string;
};

/**
 * The user behind a session or token, or null when they are disabled — or, for a browser session, when it
 * was signed in (`signedInAt`, ms) before the user last changed their password.
 */
export async function loadActiveUser(id: string, via: CurrentUser['via'], options: { tokenId?: string; signedInAt?: number } = {}): Promise<CurrentUser | null> {
  return activeUser(await db.user.findUnique({ where: { id } }), via, options);
}

type UserRow = { id: string; email: string; name: string; role: string; tenantId: string | null; locale: string | null; disabledAt: Date | null; passwordChangedAt?: Date | null };

/** loadActiveUser's rule applied to a user row already read (a token lookup reads it in the same query). */
export function activeUser(user: UserRow | null, via: CurrentUser['via'], options: { tokenId?: string; signedInAt?: number } = {}): CurrentUser | null {
  const { tokenId, signedInAt } = options;
  if (!user || user.disabledAt) return null;
  if (via === 'session' && (!('passwordChangedAt' in user) || (user.passwordChangedAt && (signedInAt ?? 0) < user.passwordChangedAt.getTime()))) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role as Role, tenantId: user.tenantId, locale: user.locale, via, tokenId };
}
