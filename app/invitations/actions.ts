'use server';
// Inviting, resending and revoking, from the admin page and from a customer admin's portal: the domain
// decides who may invite whom (server/invitations/manage-invitations.ts).
import { headers } from 'next/headers';
import { revalidatePath } from 'next/cache';
import { runAction } from '@/server/http/action';
import { linkOrigin } from '@/server/http/link-origin';
import { createInvitation, resendInvitation, revokeInvitation } from '@/server/invitations/manage-invitations';

function refresh() {
  revalidatePath('/admin');
  revalidatePath('/portal');
}

export async function inviteAction(input: Record<string, string>) {
  const result = await runAction(async (user, meta) => {
    const { email, link } = await createInvitation(user, { ...input, tenant: input.tenant || undefined }, { origin: linkOrigin(await headers()), meta });
    return { email, link };
  });
  refresh();
  return result;
}

export async function resendInvitationAction(input: { id: string }) {
  const result = await runAction(async (user, meta) => {
    const { email, link } = await resendInvitation(user, input.id, { origin: linkOrigin(await headers()), meta });
    return { email, link };
  });
  refresh();
  return result;
}

export async function revokeInvitationAction(input: { id: string }) {
  const result = await runAction(async (user, meta) => revokeInvitation(user, input.id, { meta }));
  refresh();
  return result;
}
