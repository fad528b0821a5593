'use server';
import { runAction } from '@/server/http/action';
import { createRequest } from '@/server/requests/create-request';

export async function createRequestAction(input: Record<string, unknown>) {
  return runAction(async (user, meta) => ({ id: (await createRequest(user, input, meta)).id }));
}
