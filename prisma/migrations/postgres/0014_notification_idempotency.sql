-- Batch intake, exactly once (issue 13): the hosting service may name each notification; a repeat of the
-- name within 7 days answers the original instead of enqueueing again. Unique per tenant, so two web
-- processes racing with the same key cannot both insert; rows without a key (NULL) never collide.
ALTER TABLE "Notification" ADD COLUMN "idempotencyKey" TEXT;
CREATE UNIQUE INDEX "Notification_tenantId_idempotencyKey_key" ON "Notification"("tenantId", "idempotencyKey");
