import 'server-only';
// Inviting people by email (issue 14, docs/decisions/024): an admin invites anyone (any role, a tenant for
// customer roles), a customer admin invites people into their own tenant only, as customer admin or member.
// The person becomes a user only when they accept (accept-invitation.ts). Each link sent is a row; a resend
// replaces it (the old link dies), a revoke ends it. The token goes into the mail only: never returned,
// logged or audited. Audit and mail in the same transaction as the row.
import { randomUUID } from 'node:crypto';
import { db, type Tx } from '../db';
import { AppError } from '../app-error';
import { recordEvent } from '../audit/record-event';
import { actorOf } from '../audit/actor';
import { requirePermission } from '../authz/scopes';
import type { CurrentUser, RequestMeta } from '../auth/current-user';
import { isCustomerRole } from '../auth/roles';
import { fieldErrors } from '@/lib/smtp-request-schema';
import { INVITATION_LIFETIME_MS, InvitationSchema } from '@/lib/invitation-schema';
import { ownMailConfig } from '../own-mail/own-mail-config';
import { enqueueOwnMail } from '../own-mail/enqueue-own-mail';
import { composeInvitationMail } from './compose-invitation-mail';
import { invitationLink, newInvitationToken } from './invitation-token';
import { invitationState, OPEN_INVITATION } from './invitation-status';

/** `origin`: where the link points (scheme://host[:port] of Relaydesk's pages). `now`: the clock (tests set it). */
export type InviteOptions = { origin: string; meta?: Partial<RequestMeta>; now?: Date };

function invalid(path: string, message: string, text = 'Invalid input.'): never {
  throw new AppError('VALIDATION_FAILED', text, { errors: [{ path, message }] });
}

/** The invitations a user may see and change: an admin's all, a customer admin's their tenant's. */
export function invitationsVisibleTo(user: CurrentUser) {
  return user.role === 'admin' ? {} : { tenantId: user.tenantId ?? '__none__' };
}

async function assertEmailFree(tx: Tx, email: string, now: Date, exceptId?: string) {
  if (await tx.user.findUnique({ where: { email }, select: { id: true } })) {
    throw new AppError('CONFLICT', `A user ${email} already exists.`, { errors: [{ path: 'email', message: 'taken' }] });
  }
  const open = await tx.invitation.findFirst({
    where: { email, ...OPEN_INVITATION, expiresAt: { gt: now }, ...(exceptId ? { id: { not: exceptId } } : {}) },
    select: { id: true },
  });
  if (open) throw new AppError('CONFLICT', `${email} has a pending invitation: resend or revoke it.`, { errors: [{ path: 'email', message: 'alreadyInvited' }] });
}

/** Mails the link; without Relaydesk's own mail (RELAYDESK_SMTP_URL unset) returns it for the inviter to hand over. */
async function sendLink(
  tx: Tx,
  row: { email: string; name: string; role: string; tenantId: string | null; locale: string; expiresAt: Date },
  inviter: string,
  token: string,
  origin: string,
): Promise<string | null> {
  const tenant = row.tenantId ? await tx.tenant.findUnique({ where: { id: row.tenantId }, select: { name: true } }) : null;
  const locale = row.locale === 'zh-CN' ? 'zh-CN' : 'en';
  const link = invitationLink(origin, token, locale);
  if (!ownMailConfig()) return link;
  await enqueueOwnMail(tx, composeInvitationMail({ to: row.email, name: row.name, inviter, role: row.role, tenant: tenant?.name ?? null, link, expiresAt: row.expiresAt, locale }));
  return null;
}

export async function createInvitation(
  user: CurrentUser,
  input: unknown,
  { origin, meta, now = new Date() }: InviteOptions,
): Promise<{ id: string; email: string; expiresAt: Date; link: string | null }> {
  requirePermission(user, 'invitation.manage');
  // A customer admin's form has no tenant field: theirs is implied.
  const own = user.role === 'customer-admin' ? await db.tenant.findUnique({ where: { id: user.tenantId ?? '__none__' }, select: { id: true, slug: true } }) : null;
  const raw = input && typeof input === 'object' ? (input as Record<string, unknown>) : null;
  const given = own && raw && !raw.tenant && isCustomerRole(String(raw.role)) ? { ...raw, tenant: own.slug } : input;
  const parsed = InvitationSchema.safeParse(given);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'Invalid input.', { errors: fieldErrors(parsed.error) });
  const { email, name, role, tenant: slug, locale } = parsed.data;
  if (user.role === 'customer-admin' && !isCustomerRole(role)) invalid('role', 'choose', 'A customer admin invites customer admins and members only.');

  return db.$transaction(async (tx) => {
    let tenantId: string | null = null;
    if (user.role === 'customer-admin') {
      // Another tenant is "no such tenant" to a customer admin, whether it exists or not.
      if (!own || slug !== own.slug) invalid('tenant', 'tenantUnknown', `No tenant "${slug}".`);
      tenantId = own.id;
    } else if (slug) {
      const tenant = await tx.tenant.findUnique({ where: { slug }, select: { id: true } });
      if (!tenant) invalid('tenant', 'tenantUnknown', `No tenant "${slug}".`);
      tenantId = tenant.id;
    }
    await assertEmailFree(tx, email, now);
    const { token, tokenHash } = newInvitationToken();
    const row = await tx.invitation.create({
      data: { id: randomUUID(), email, name, role, tenantId, locale, tokenHash, invitedById: user.id, createdAt: now, expiresAt: new Date(now.getTime() + INVITATION_LIFETIME_MS) },
    });
    await recordEvent(tx, actorOf(user, meta), {
      action: 'invitation.created',
      tenantId,
      targetType: 'invitation',
      targetId: row.id,
      after: { email, name, role, tenant: slug ?? null, locale, expiresAt: row.expiresAt.toISOString() },
    });
    const link = await sendLink(tx, row, user.name, token, origin);
    return { id: row.id, email, expiresAt: row.expiresAt, link };
  });
}

async function openVisible(tx: Tx, user: CurrentUser, id: string) {
  const row = await tx.invitation.findFirst({ where: { id, ...OPEN_INVITATION, ...invitationsVisibleTo(user) } });
  if (!row) throw new AppError('NOT_FOUND', 'No such pending invitation.');
  return row;
}

/** A new link (and 72 hours) for an open invitation, pending or expired; the old link stops working. */
export async function resendInvitation(
  user: CurrentUser,
  id: string,
  { origin, meta, now = new Date() }: InviteOptions,
): Promise<{ id: string; email: string; expiresAt: Date; link: string | null }> {
  requirePermission(user, 'invitation.manage');
  return db.$transaction(async (tx) => {
    const old = await openVisible(tx, user, id);
    await assertEmailFree(tx, old.email, now, old.id);
    // Conditional: of two resends at once, one replaces the row and the other finds it gone.
    const replaced = await tx.invitation.updateMany({ where: { id: old.id, ...OPEN_INVITATION }, data: { replacedAt: now } });
    if (replaced.count !== 1) throw new AppError('NOT_FOUND', 'No such pending invitation.');
    const { token, tokenHash } = newInvitationToken();
    const row = await tx.invitation.create({
      data: {
        id: randomUUID(),
        email: old.email,
        name: old.name,
        role: old.role,
        tenantId: old.tenantId,
        locale: old.locale,
        tokenHash,
        invitedById: user.id,
        createdAt: now,
        expiresAt: new Date(now.getTime() + INVITATION_LIFETIME_MS),
      },
    });
    await recordEvent(tx, actorOf(user, meta), {
      action: 'invitation.resent',
      tenantId: row.tenantId,
      targetType: 'invitation',
      targetId: row.id,
      before: { invitation: old.id, expiresAt: old.expiresAt.toISOString() },
      after: { email: row.email, expiresAt: row.expiresAt.toISOString() },
    });
    const link = await sendLink(tx, row, user.name, token, origin);
    return { id: row.id, email: row.email, expiresAt: row.expiresAt, link };
  });
}

export async function revokeInvitation(user: CurrentUser, id: string, { meta, now = new Date() }: { meta?: Partial<RequestMeta>; now?: Date } = {}): Promise<{ email: string }> {
  requirePermission(user, 'invitation.manage');
  return db.$transaction(async (tx) => {
    const row = await openVisible(tx, user, id);
    const revoked = await tx.invitation.updateMany({ where: { id: row.id, ...OPEN_INVITATION }, data: { revokedAt: now } });
    if (revoked.count !== 1) throw new AppError('NOT_FOUND', 'No such pending invitation.');
    await recordEvent(tx, actorOf(user, meta), {
      action: 'invitation.revoked',
      tenantId: row.tenantId,
      targetType: 'invitation',
      targetId: row.id,
      before: { email: row.email, role: row.role },
    });
    return { email: row.email };
  });
}

export type PendingInvitation = {
  id: string;
  email: string;
  name: string;
  role: string;
  tenant: string | null;
  invitedBy: string;
  createdAt: Date;
  expiresAt: Date;
  state: 'pending' | 'expired';
};

/** The open invitations the user may manage, newest first. */
export async function listInvitations(user: CurrentUser, now = new Date()): Promise<PendingInvitation[]> {
  requirePermission(user, 'invitation.manage');
  const rows = await db.invitation.findMany({ where: { ...OPEN_INVITATION, ...invitationsVisibleTo(user) }, orderBy: { createdAt: 'desc' }, take: 200 });
  const [inviters, tenants] = await Promise.all([
    db.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.invitedById))] } }, select: { id: true, name: true } }),
    db.tenant.findMany({ where: { id: { in: [...new Set(rows.flatMap((r) => (r.tenantId ? [r.tenantId] : [])))] } }, select: { id: true, slug: true } }),
  ]);
  const inviter = new Map(inviters.map((u) => [u.id, u.name]));
  const tenant = new Map(tenants.map((t) => [t.id, t.slug]));
  return rows.map((r) => ({
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role,
    tenant: r.tenantId ? (tenant.get(r.tenantId) ?? null) : null,
    invitedBy: inviter.get(r.invitedById) ?? '—',
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    state: invitationState(r, now) === 'expired' ? 'expired' : 'pending',
  }));
}
