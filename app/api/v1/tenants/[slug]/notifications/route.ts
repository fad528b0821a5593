import { json } from '@/server/http/handle';
import { parseOrThrow } from '@/server/core/parse';
import { pipelineRoute } from '@/server/http/pipeline-route';
import { enqueueNotifications } from '@/server/pipeline/enqueue-notification';
import { metrics } from '@/server/ops/metrics';
import { MAX_BATCH_BODY_BYTES, NotificationBatchSchema, NotificationSchema } from '@/server/pipeline/notification-schema';

// 202 only after the rows are committed: an accepted notification survives any crash. A call that only
// repeats idempotency keys enqueues nothing and answers 200 with the originals.
export const POST = pipelineRoute(
  async ({ tenantId, body, owner }) => {
    if (typeof body === 'object' && body !== null && 'notifications' in body) {
      const { notifications } = parseOrThrow(NotificationBatchSchema, body);
      const intake = await enqueueNotifications(tenantId, notifications, owner.active);
      count(intake.created, notifications.length);
      return json({ items: intake.items }, intake.created > 0 ? 202 : 200);
    }
    const intake = await enqueueNotifications(tenantId, [parseOrThrow(NotificationSchema, body)], owner.active);
    count(intake.created, 1);
    return json(intake.items[0], intake.created > 0 ? 202 : 200);
  },
  { maxBodyBytes: MAX_BATCH_BODY_BYTES },
);

function count(created: number, total: number) {
  const { intake } = metrics();
  intake.inc({ outcome: 'stored' }, created);
  if (total > created) intake.inc({ outcome: 'repeated' }, total - created);
}
