-- A customer's check before filing is a probe run of no request yet (requestId null until a request is
-- filed with it); runs are found per tenant and actor for the check budget and the attach-on-file.
ALTER TABLE "ProbeRun" ALTER COLUMN "requestId" DROP NOT NULL;
CREATE INDEX "ProbeRun_tenantId_actorId_startedAt_idx" ON "ProbeRun"("tenantId", "actorId", "startedAt");
