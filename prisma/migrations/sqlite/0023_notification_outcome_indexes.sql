-- A tenant's health summary (console tenant page, GET /api/v1/tenants/{slug}/pipeline), the Health page and
-- the daily health check count delivered and dead rows in a recent window, and the dead ones in all. With
-- only (tenantId, createdAt) to go by, each read walked every notification the tenant ever sent. These
-- hold the rows of one final status each, by tenant and the time it was reached: the reads follow the
-- window's rows. The delivered one costs one index entry per delivery (the delivered update was never a
-- heap-only one: it changes the status); dead rows are few.
CREATE INDEX IF NOT EXISTS "Notification_delivered_idx" ON "Notification"("tenantId", "sentAt") WHERE "status" = 'delivered';
CREATE INDEX IF NOT EXISTS "Notification_dead_idx" ON "Notification"("tenantId", "deadAt") WHERE "status" = 'dead';
