import 'server-only';
// The invitation link (/invitations/{token}, no sign-in): what it offers, and accepting it by setting a
// password, which creates the user. A link that matches nothing counts against the client's address
// (token-throttle.ts); expired, used, revoked and replaced links say so, and do not count.
import { randomUUID } from 'node:crypto';
import { db } from '../db';
import { AppError } from '../app-error';
import { recordEvent } from '../audit/record-event';
import { hashPassword } from '../auth/passwords';
import type { RequestMeta } from '../auth/current-user';
import type { Role } from '../auth/roles';
import { fieldErrors } from '@/lib/smtp-request-schema';
import { AcceptInvitationSchema } from '@/lib/invitation-schema';
import { invitationTokenHash } from './invitation-token';
import { invitationState, OPEN_INVITATION, type InvitationState } from './invitation-status';
import { countInvitationGuess, invitationGuessWait } from './token-throttle';

export type InvitationView =
  | { state: 'unknown' }
  | { state: 'throttled'; retryAfterSeconds: number }
  | { state: Exclude<InvitationState, 'pending'>; inviter: string }
  | { state: 'pending'; email: string; name: string; role: Role; tenant: string | null; inviter: string; expiresAt: Date };

async function lookUp(token: string, meta: Pick<RequestMeta, 'ip'>, now: Date) {
  const retryAfterSeconds = await invitationGuessWait(meta.ip, now);
  if (retryAfterSeconds > 0) return { throttled: retryAfterSeconds, row: null };
  const hash = invitationTokenHash(token);
  const row = hash ? await db.invitation.findUnique({ where: { tokenHash: hash } }) : null;
  if (!row) await countInvitationGuess(meta.ip, now);
  return { throttled: 0, row };
}

/** What the link page shows. */
export async function openInvitation(token: string, meta: Pick<RequestMeta, 'ip'>, now = new Date()): Promise<InvitationView> {
  const found = await lookUp(token, meta, now);
  if (found.throttled) return { state: 'throttled', retryAfterSeconds: found.throttled };
  const { row } = found;
  if (!row) return { state: 'unknown' };
  const [inviter, tenant] = await Promise.all([
    db.user.findUnique({ where: { id: row.invitedById }, select: { name: true } }),
    row.tenantId ? db.tenant.findUnique({ where: { id: row.tenantId }, select: { name: true } }) : null,
  ]);
  const state = invitationState(row, now);
  const by = inviter?.name ?? '—';
  if (state !== 'pending') return { state, inviter: by };
  return { state, email: row.email, name: row.name, role: row.role as Role, tenant: tenant?.name ?? null, inviter: by, expiresAt: row.expiresAt };
}

/**
 * Sets the invitee's password: creates their user (their role, tenant and language from the invitation) and
 * uses the link up, once, in one transaction. Refused with the link's state (reason) when it is not pending.
 */
export async function acceptInvitation(token: string, input: unknown, meta: RequestMeta, now = new Date()): Promise<{ userId: string; email: string; role: Role }> {
  const parsed = AcceptInvitationSchema.safeParse(input);
  if (!parsed.success) throw new AppError('VALIDATION_FAILED', 'Invalid input.', { errors: fieldErrors(parsed.error) });
  const found = await lookUp(token, meta, now);
  if (found.throttled) throw new AppError('RATE_LIMITED', 'Too many wrong invitation links from this address; try again later.', { retryAfterSeconds: found.throttled });
  const { row } = found;
  const state = row ? invitationState(row, now) : 'unknown';
  if (!row || state !== 'pending') throw new AppError('NOT_FOUND', 'This invitation link cannot be used.', { reason: state });
  const passwordHash = await hashPassword(parsed.data.password);
  return db.$transaction(async (tx) => {
    // Conditional: a link used twice at once creates one user.
    const used = await tx.invitation.updateMany({ where: { id: row.id, ...OPEN_INVITATION, expiresAt: { gt: now } }, data: { acceptedAt: now } });
    if (used.count !== 1) throw new AppError('NOT_FOUND', 'This invitation link cannot be used.', { reason: 'accepted' });
    if (await tx.user.findUnique({ where: { email: row.email }, select: { id: true } })) {
      throw new AppError('CONFLICT', `A user ${row.email} already exists: sign in.`, { reason: 'exists' });
    }
    const user = await tx.user.create({
      data: { id: randomUUID(), email: row.email, name: row.name, role: row.role, tenantId: row.tenantId, locale: row.locale, passwordHash, createdAt: now },
    });
    await tx.invitation.update({ where: { id: row.id }, data: { userId: user.id } });
    const actor = { type: 'user' as const, id: user.id, label: user.email, ip: meta.ip, userAgent: meta.userAgent, requestId: meta.requestId };
    const tenant = row.tenantId ? await tx.tenant.findUnique({ where: { id: row.tenantId }, select: { slug: true } }) : null;
    await recordEvent(tx, actor, {
      action: 'user.created',
      tenantId: user.tenantId,
      targetType: 'user',
      targetId: user.id,
      after: { email: user.email, name: user.name, role: user.role, tenant: tenant?.slug ?? null, via: 'invitation' },
    });
    await recordEvent(tx, actor, { action: 'invitation.accepted', tenantId: user.tenantId, targetType: 'invitation', targetId: row.id, after: { user: user.id } });
    return { userId: user.id, email: user.email, role: user.role as Role };
  });
}
