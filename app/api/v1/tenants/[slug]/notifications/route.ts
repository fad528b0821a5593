import { json } from '@/server/http/handle';
import { parseOrThrow } from '@/server/http/parse';
import { pipelineRoute } from '@/server/http/pipeline-route';
import { enqueueNotification } from '@/server/pipeline/enqueue-notification';
import { MAX_NOTIFICATION_BODY_BYTES, NotificationSchema } from '@/server/pipeline/notification-schema';

// 202 only after the row is committed: an accepted notification survives any crash.
export const POST = pipelineRoute(
  async ({ tenantId, body }) => json(await enqueueNotification(tenantId, parseOrThrow(NotificationSchema, body)), 202),
  { maxBodyBytes: MAX_NOTIFICATION_BODY_BYTES },
);
