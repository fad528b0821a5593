'use server';
import { revalidatePath } from 'next/cache';
import { runAction } from '@/server/http/action';
import { addComment } from '@/server/requests/comments';
import { transitionRequest } from '@/server/requests/transition-request';
import { updateRequest } from '@/server/requests/update-request';

export async function addCommentAction(requestId: string, input: { body: string; internal: boolean }) {
  const result = await runAction(async (user, meta) => ({ id: (await addComment(user, requestId, input, meta)).id }));
  if (result.ok) revalidatePath(`/requests/${requestId}`);
  return result;
}

export async function transitionAction(requestId: string, input: { to: string; comment?: string }) {
  const result = await runAction(async (user, meta) => ({ id: (await transitionRequest(user, requestId, input, meta)).id }));
  if (result.ok) revalidatePath(`/requests/${requestId}`);
  return result;
}

export async function updateRequestAction(requestId: string, input: Record<string, unknown>) {
  return runAction(async (user, meta) => ({ id: (await updateRequest(user, requestId, input, meta)).id }));
}
