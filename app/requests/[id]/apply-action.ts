'use server';
import { revalidatePath } from 'next/cache';
import { runAction } from '@/server/http/action';
import { applyRequest } from '@/server/config-versions/apply-request';

export async function applyRequestAction(requestId: string, overrideReason = '') {
  const result = await runAction(async (user, meta) => {
    const version = await applyRequest(user, requestId, meta, { overrideReason });
    return { version: version.version };
  });
  if (result.ok) revalidatePath(`/requests/${requestId}`);
  return result;
}
