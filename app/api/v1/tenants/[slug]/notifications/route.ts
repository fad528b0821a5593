import { json } from '@/server/http/handle';
import { parseOrThrow } from '@/server/http/parse';
import { pipelineRoute, readJsonUpTo } from '@/server/http/pipeline-route';
import { enqueueNotification } from '@/server/pipeline/enqueue-notification';
import { MAX_NOTIFICATION_BODY_BYTES, NotificationSchema } from '@/server/pipeline/notification-schema';

// 202 only after the row is committed: an accepted notification survives any crash.
export const POST = pipelineRoute(async ({ request, tenantId }) => {
  const data = parseOrThrow(NotificationSchema, await readJsonUpTo(request, MAX_NOTIFICATION_BODY_BYTES));
  return json(await enqueueNotification(tenantId, data), 202);
});
