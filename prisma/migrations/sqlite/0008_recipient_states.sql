-- Per-recipient delivery state, the time of the last error, and the last recycled lane (issue 10, decision 011).
ALTER TABLE "Notification" ADD COLUMN "lastErrorAt" DATETIME;
ALTER TABLE "Notification" ADD COLUMN "recipientStates" TEXT;
ALTER TABLE "TenantPipeline" ADD COLUMN "recycledAt" DATETIME;
ALTER TABLE "TenantPipeline" ADD COLUMN "recycledReason" TEXT;
