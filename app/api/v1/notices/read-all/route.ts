import { apiRoute, json } from '@/server/http/handle';
import { markAllNoticesRead } from '@/server/notifications/in-app-notices';

/** Marks every unread notice of the caller read; answers how many were. */
export const POST = apiRoute(async ({ user }) => json({ marked: await markAllNoticesRead(user.id) }));
