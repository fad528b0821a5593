import type { PendingInvitation } from '@/server/invitations/manage-invitations';
import type { InvitationRow } from './invitation-panel';

/** The open invitations as the panel (a client component) takes them. */
export function invitationRows(invitations: PendingInvitation[]): InvitationRow[] {
  return invitations.map((x) => ({
    id: x.id,
    email: x.email,
    name: x.name,
    role: x.role,
    tenant: x.tenant,
    invitedBy: x.invitedBy,
    expiresAt: x.expiresAt.toISOString(),
    state: x.state,
  }));
}
