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

export async function loadActiveUser(id: string, via: CurrentUser['via'], tokenId?: string): Promise<CurrentUser | null> {
  const user = await db.user.findUnique({ where: { id } });
  if (!user || user.disabledAt) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role as Role, tenantId: user.tenantId, locale: user.locale, via, tokenId };
}

