'use server';
import { revalidatePath } from 'next/cache';
import { runAction } from '@/server/http/action';
import { markAllNoticesRead, markNoticeRead } from '@/server/notifications/in-app-notices';

/** Plain form actions: the list works without JavaScript too. The header's count is in the layout. */
export async function markNoticeReadAction(formData: FormData): Promise<void> {
  await runAction((user) => markNoticeRead(user.id, String(formData.get('id') ?? '')));
  revalidatePath('/', 'layout');
}

export async function markAllNoticesReadAction(): Promise<void> {
  await runAction((user) => markAllNoticesRead(user.id));
  revalidatePath('/', 'layout');
}
