-- A claim reads each tenant's rows still to send, oldest first (server/pipeline/outbox-leases.ts). The
-- index holds only those rows, so it stays small however long the delivered history grows, and a claim
-- never walks through a tenant it skips.
CREATE INDEX "Notification_pending_idx" ON "Notification"("tenantId", "nextAttemptAt") WHERE "status" IN ('queued', 'retrying');
