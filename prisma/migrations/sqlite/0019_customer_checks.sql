-- A customer's check before filing is a probe run of no request yet (requestId null until a request is
-- filed with it); runs are found per tenant and actor for the check budget and the attach-on-file.
CREATE TABLE "ProbeRun_new" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "requestId" TEXT,
  "tenantId" TEXT NOT NULL,
  "kind" TEXT NOT NULL,
  "ok" BOOLEAN NOT NULL,
  "fingerprint" TEXT NOT NULL,
  "recipient" TEXT NOT NULL,
  "startedAt" DATETIME NOT NULL,
  "durationMs" INTEGER NOT NULL,
  "steps" TEXT NOT NULL,
  "transcript" TEXT NOT NULL,
  "tls" TEXT,
  "capabilities" TEXT,
  "messageId" TEXT,
  "finalReply" TEXT,
  "actorId" TEXT NOT NULL
);
INSERT INTO "ProbeRun_new" SELECT "id", "requestId", "tenantId", "kind", "ok", "fingerprint", "recipient", "startedAt", "durationMs", "steps", "transcript", "tls", "capabilities", "messageId", "finalReply", "actorId" FROM "ProbeRun";
DROP TABLE "ProbeRun";
ALTER TABLE "ProbeRun_new" RENAME TO "ProbeRun";
CREATE INDEX "ProbeRun_requestId_startedAt_idx" ON "ProbeRun"("requestId", "startedAt");
CREATE INDEX "ProbeRun_tenantId_actorId_startedAt_idx" ON "ProbeRun"("tenantId", "actorId", "startedAt");
