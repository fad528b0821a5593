'use server';
import { revalidatePath } from 'next/cache';
import { runAction } from '@/server/http/action';
import { applyRequest } from '@/server/config-versions/apply-request';

/** reason non-empty: apply with force over an overridable block (a later failed check, a failing domain). */
export async function applyRequestAction(requestId: string, reason = '') {
  const result = await runAction(async (user, meta) => {
    const version = await applyRequest(user, requestId, meta, { force: reason.trim().length > 0, reason });
    return { version: version.version };
  });
  if (result.ok) revalidatePath(`/requests/${requestId}`);
  return result;
}
