import 'server-only';
import { randomBytes, randomUUID } from 'node:crypto';
import { db, type Tx } from '../db';
import { AppError } from '../app-error';
import { fieldErrors } from '@/lib/smtp-request-schema';
import { recordEvent } from '../audit/record-event';
import type { RequestMeta } from '../auth/current-user';
import { adminActor, type AdminCaller } from './admin-caller';
import { hashPassword } from '../auth/passwords';
import { clearAccountThrottles } from '../auth/sign-in';
import { CUSTOMER_ROLES, STAFF_ROLES, isCustomerRole } from '../auth/roles';
import { TenantSchema, UserSchema } from './admin-schemas';

function invalid(error: import('zod').ZodError): never {
  throw new AppError('VALIDATION_FAILED', 'Invalid input.', { errors: fieldErrors(error) });
}

export async function createTenant(caller: AdminCaller, input: unknown, meta?: RequestMeta) {
  const actor = adminActor(caller, meta);
  const parsed = TenantSchema.safeParse(input);
  if (!parsed.success) invalid(parsed.error);
  return db.$transaction(async (tx) => {
    if (await tx.tenant.findUnique({ where: { slug: parsed.data.slug } })) {
      throw new AppError('CONFLICT', `A tenant "${parsed.data.slug}" already exists.`, { errors: [{ path: 'slug', message: 'taken' }] });
    }
    const tenant = await tx.tenant.create({ data: { id: randomUUID(), ...parsed.data } });
    await recordEvent(tx, actor, { action: 'tenant.created', tenantId: tenant.id, targetType: 'tenant', targetId: tenant.id, after: parsed.data });
    return tenant;
  });
}

export async function createUser(caller: AdminCaller, input: unknown, meta?: RequestMeta) {
  const actor = adminActor(caller, meta);
  const parsed = UserSchema.safeParse(input);
  if (!parsed.success) invalid(parsed.error);
  const { email, name, password, role, tenant: slug } = parsed.data;
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const tenant = slug ? await tx.tenant.findUnique({ where: { slug } }) : null;
    if (slug && !tenant) throw new AppError('VALIDATION_FAILED', `No tenant "${slug}".`, { errors: [{ path: 'tenant', message: 'tenantUnknown' }] });
    if (await tx.user.findUnique({ where: { email } })) {
      throw new AppError('CONFLICT', `A user ${email} already exists.`, { errors: [{ path: 'email', message: 'taken' }] });
    }
    const user = await tx.user.create({ data: { id: randomUUID(), email, name, role, passwordHash, tenantId: tenant?.id ?? null } });
    await recordEvent(tx, actor, { action: 'user.created', tenantId: user.tenantId, targetType: 'user', targetId: user.id, after: { email, name, role, tenant: slug ?? null } });
    return user;
  });
}

export async function assignTam(caller: AdminCaller, tamEmail: string, tenantSlug: string, meta?: RequestMeta) {
  const actor = adminActor(caller, meta);
  return db.$transaction(async (tx) => {
    const tam = await tx.user.findUnique({ where: { email: tamEmail.trim().toLowerCase() } });
    if (!tam || tam.role !== 'tam') throw new AppError('VALIDATION_FAILED', `No TAM ${tamEmail}.`, { errors: [{ path: 'tam', message: 'tamUnknown' }] });
    const tenant = await tx.tenant.findUnique({ where: { slug: tenantSlug } });
    if (!tenant) throw new AppError('VALIDATION_FAILED', `No tenant "${tenantSlug}".`, { errors: [{ path: 'tenant', message: 'tenantUnknown' }] });
    const existing = await tx.tamAssignment.findUnique({ where: { tamId_tenantId: { tamId: tam.id, tenantId: tenant.id } } });
    if (existing) return { tam, tenant, changed: false };
    await tx.tamAssignment.create({ data: { tamId: tam.id, tenantId: tenant.id } });
    await recordEvent(tx, actor, { action: 'tam.assigned', tenantId: tenant.id, targetType: 'user', targetId: tam.id, after: { tam: tam.email, tenant: tenant.slug } });
    return { tam, tenant, changed: true };
  });
}

export async function unassignTam(caller: AdminCaller, tamId: string, tenantId: string, meta?: RequestMeta) {
  const actor = adminActor(caller, meta);
  await db.$transaction(async (tx) => {
    const row = await tx.tamAssignment.findUnique({ where: { tamId_tenantId: { tamId, tenantId } }, include: { tam: true, tenant: true } });
    if (!row) throw new AppError('NOT_FOUND', 'No such assignment.');
    await tx.tamAssignment.delete({ where: { tamId_tenantId: { tamId, tenantId } } });
    await recordEvent(tx, actor, { action: 'tam.unassigned', tenantId, targetType: 'user', targetId: tamId, before: { tam: row.tam.email, tenant: row.tenant.slug } });
  });
}

async function userOrNotFound(tx: Tx, userId: string) {
  const user = await tx.user.findUnique({ where: { id: userId } });
  if (!user) throw new AppError('NOT_FOUND', 'No such user.');
  return user;
}

/**
 * Changes a user's role within their world: staff (TAM, auditor, admin) or their tenant (customer admin,
 * member). Nobody changes their own role (an admin cannot lock the last admin out by mistake). A TAM who
 * stops being one loses their tenant assignments, each audited like an unassignment.
 */
export async function setUserRole(caller: AdminCaller, userId: string, role: string, meta?: RequestMeta) {
  const actor = adminActor(caller, meta);
  if (actor.id === userId) throw new AppError('VALIDATION_FAILED', 'You cannot change your own role.', { errors: [{ path: 'role', message: 'ownRole' }] });
  await db.$transaction(async (tx) => {
    const user = await userOrNotFound(tx, userId);
    const world = isCustomerRole(user.role) ? CUSTOMER_ROLES : STAFF_ROLES;
    if (!(world as readonly string[]).includes(role))
      throw new AppError('VALIDATION_FAILED', 'A role can change only within staff or within a tenant.', { errors: [{ path: 'role', message: 'choose' }] });
    if (role === user.role) return;
    await tx.user.update({ where: { id: userId }, data: { role } });
    await recordEvent(tx, actor, { action: 'user.role_changed', tenantId: user.tenantId, targetType: 'user', targetId: userId, before: { role: user.role }, after: { role } });
    if (user.role !== 'tam') return;
    for (const row of await tx.tamAssignment.findMany({ where: { tamId: userId }, include: { tenant: true } })) {
      await tx.tamAssignment.delete({ where: { tamId_tenantId: { tamId: userId, tenantId: row.tenantId } } });
      await recordEvent(tx, actor, {
        action: 'tam.unassigned',
        tenantId: row.tenantId,
        targetType: 'user',
        targetId: userId,
        before: { tam: user.email, tenant: row.tenant.slug },
      });
    }
  });
}

/**
 * Disables a user (offboarding) or enables them again. A disabled user cannot sign in, and their sessions
 * and personal access tokens stop working at their next request (load-user.ts); nothing else is removed,
 * so enabling restores them as they were. Nobody disables themselves.
 */
export async function setUserDisabled(caller: AdminCaller, userId: string, disabled: boolean, meta?: RequestMeta) {
  const actor = adminActor(caller, meta);
  if (actor.id === userId) throw new AppError('VALIDATION_FAILED', 'You cannot disable your own account.', { errors: [{ path: 'user', message: 'ownAccount' }] });
  await db.$transaction(async (tx) => {
    const user = await userOrNotFound(tx, userId);
    if ((user.disabledAt !== null) === disabled) return;
    await tx.user.update({ where: { id: userId }, data: { disabledAt: disabled ? new Date() : null } });
    await recordEvent(tx, actor, {
      action: disabled ? 'user.disabled' : 'user.enabled',
      tenantId: user.tenantId,
      targetType: 'user',
      targetId: userId,
      before: { disabled: !disabled },
      after: { disabled },
    });
  });
}

/**
 * Gives a user a new random password, returned once for the admin to hand over (like a token), for a user
 * who forgot theirs. Their browser sessions end, their personal access tokens are revoked and the sign-in
 * throttles on their account are lifted. From the page an
 * admin resets others only (their own password changes on the profile page); the CLI, run by an operator,
 * can reset anyone: it is how a locked-out last admin gets back in.
 */
export async function resetUserPassword(caller: AdminCaller, userId: string, meta?: RequestMeta): Promise<{ email: string; password: string }> {
  const actor = adminActor(caller, meta);
  if (actor.type !== 'system' && actor.id === userId)
    throw new AppError('VALIDATION_FAILED', 'Change your own password on the profile page.', { errors: [{ path: 'user', message: 'ownAccount' }] });
  const password = randomBytes(12).toString('base64url');
  const passwordHash = await hashPassword(password);
  return db.$transaction(async (tx) => {
    const user = await userOrNotFound(tx, userId);
    const now = new Date();
    await tx.user.update({ where: { id: userId }, data: { passwordHash, passwordChangedAt: now } });
    await clearAccountThrottles(tx, user.email);
    // Whoever took over the account may have made tokens with it: a reset revokes them all, and ends every browser session.
    const tokens = await tx.apiToken.updateMany({ where: { userId, revokedAt: null }, data: { revokedAt: now } });
    await tx.browserSession.updateMany({ where: { userId, endedAt: null }, data: { endedAt: now } });
    await recordEvent(tx, actor, {
      action: 'user.password_reset',
      tenantId: user.tenantId,
      targetType: 'user',
      targetId: userId,
      after: { password: 'changed', revokedAccessTokens: tokens.count },
    });
    return { email: user.email, password };
  });
}

export const USERS_PAGE = 50;

/**
 * What the admin page shows: every tenant; the users by email, a page at a time after `after` (an email;
 * emails are unique, so it is a stable keyset), optionally only those whose email contains `q`; and the
 * TAMs that can be assigned (all of them, whatever page is shown).
 */
export async function adminOverview(caller: AdminCaller, { after, q }: { after?: string; q?: string } = {}) {
  adminActor(caller);
  const search = q?.trim().toLowerCase() || undefined;
  const [tenants, rows, tams] = await Promise.all([
    db.tenant.findMany({
      orderBy: { slug: 'asc' },
      include: { tamAssignments: { include: { tam: { select: { id: true, email: true, name: true } } } }, _count: { select: { requests: true, users: true } } },
    }),
    db.user.findMany({
      where: { email: { ...(after ? { gt: after } : {}), ...(search ? { contains: search } : {}) } },
      orderBy: { email: 'asc' },
      take: USERS_PAGE + 1,
      include: { tenant: { select: { slug: true } } },
    }),
    db.user.findMany({ where: { role: 'tam', disabledAt: null }, orderBy: { email: 'asc' }, select: { email: true, name: true } }),
  ]);
  const users = rows.slice(0, USERS_PAGE);
  return { tenants, users, tams, nextAfter: rows.length > USERS_PAGE ? users.at(-1)!.email : null };
}
