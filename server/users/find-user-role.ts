import 'server-only';
import { db } from '../db';
import type { Role } from '../auth/roles';

export async function findUserRoleByEmail(email: string): Promise<Role | null> {
  const user = await db.user.findUnique({ where: { email }, select: { role: true } });
  return (user?.role as Role | undefined) ?? null;
}
