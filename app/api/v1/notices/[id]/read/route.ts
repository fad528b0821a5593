import { apiRoute } from '@/server/http/handle';
import { markNoticeRead } from '@/server/notifications/in-app-notices';

/** Marks one of the caller's own notices read; another user's is 404, as if it did not exist. */
export const POST = apiRoute<{ id: string }>(async ({ user, params }) => {
  await markNoticeRead(user.id, params.id);
  return new Response(null, { status: 204 });
});
