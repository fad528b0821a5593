-- The daily health check of every tenant's active configuration (issue 15): one row per check, with its
-- problems; a change from the previous row is audited once. HealthLease: one worker of a fleet runs them.
CREATE TABLE "HealthCheck" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "tenantId" TEXT NOT NULL,
  "configVersion" INTEGER NOT NULL,
  "checkedAt" TIMESTAMP(3) NOT NULL,
  "healthy" BOOLEAN NOT NULL,
  "problems" TEXT NOT NULL,
  "steps" TEXT NOT NULL,
  "certExpiresAt" TIMESTAMP(3),
  "durationMs" INTEGER NOT NULL
);
CREATE INDEX "HealthCheck_tenantId_checkedAt_idx" ON "HealthCheck"("tenantId", "checkedAt");
CREATE TABLE "HealthLease" (
  "name" TEXT NOT NULL PRIMARY KEY,
  "holder" TEXT NOT NULL,
  "until" TIMESTAMP(3) NOT NULL
);
