'use server';
import { revalidatePath } from 'next/cache';
import { runAction } from '@/server/http/action';
import { requirePermission } from '@/server/authz/scopes';
import { actorOf } from '@/server/audit/actor';
import { createToken, revokeToken } from '@/server/auth/tokens';

export async function createTokenAction(name: string) {
  const result = await runAction(async (user, meta) => {
    requirePermission(user, 'token.own');
    return { token: (await createToken(user.id, name, actorOf(user, meta))).token };
  });
  revalidatePath('/profile');
  return result;
}

export async function revokeTokenAction(tokenId: string) {
  const result = await runAction(async (user, meta) => {
    requirePermission(user, 'token.own');
    await revokeToken(user.id, tokenId, actorOf(user, meta));
    return undefined;
  });
  revalidatePath('/profile');
  return result;
}
