'use server';
import { revalidatePath } from 'next/cache';
import { runAction } from '@/server/http/action';
import { setSandboxMode } from '@/server/sandbox/sandbox-inbox';

export async function setSandboxModeAction(mode: string) {
  const result = await runAction((user, meta) => setSandboxMode(user, mode, meta));
  revalidatePath('/sandbox');
  return result;
}
