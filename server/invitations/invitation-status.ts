// An invitation row's state, in one place for the link page and the pending lists.
export type InvitationState = 'pending' | 'expired' | 'accepted' | 'revoked' | 'replaced';

export function invitationState(row: { acceptedAt: Date | null; revokedAt: Date | null; replacedAt: Date | null; expiresAt: Date }, now = new Date()): InvitationState {
  if (row.acceptedAt) return 'accepted';
  if (row.revokedAt) return 'revoked';
  if (row.replacedAt) return 'replaced';
  return row.expiresAt.getTime() <= now.getTime() ? 'expired' : 'pending';
}

/** Rows still open: not accepted, revoked or replaced (expired ones included: they can be resent or revoked). */
export const OPEN_INVITATION = { acceptedAt: null, revokedAt: null, replacedAt: null } as const;
