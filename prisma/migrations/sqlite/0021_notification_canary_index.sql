-- The configuration page and GET /api/v1/tenants/{slug}/smtp-config show each version's canary: without
-- this index that read walked every notification the tenant ever sent (the bearer-authenticated GET cost
-- 5.5 ms of CPU after a few thousand intakes, and grew with the history).
CREATE INDEX "Notification_tenantId_canary_createdAt_idx" ON "Notification"("tenantId", "canary", "createdAt");
