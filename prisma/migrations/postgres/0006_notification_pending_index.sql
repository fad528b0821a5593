-- A claim reads each tenant's rows still to send, oldest first (server/pipeline/outbox-leases.ts). The
-- index holds only those rows, so it stays small however long the delivered history grows, and a claim
-- never walks through a tenant it skips.
CREATE INDEX "Notification_pending_idx" ON "Notification"("tenantId", "nextAttemptAt") WHERE "status" IN ('queued', 'retrying');
-- Room in each page for a row's next version: a claim or a lease renewal changes only unindexed columns,
-- and with free space on the page PostgreSQL writes it as a heap-only update, touching no index.
ALTER TABLE "Notification" SET (fillfactor = 80);
