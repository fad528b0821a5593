CREATE TABLE "ConfigVersion" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "tenantId" TEXT NOT NULL,
  "version" INTEGER NOT NULL,
  "requestId" TEXT,
  "source" TEXT NOT NULL,
  "host" TEXT NOT NULL,
  "port" INTEGER NOT NULL,
  "encryption" TEXT NOT NULL,
  "authMethod" TEXT NOT NULL,
  "username" TEXT NOT NULL,
  "passwordCipher" TEXT,
  "heloDomain" TEXT NOT NULL,
  "noReplyAddress" TEXT NOT NULL,
  "noReplyName" TEXT NOT NULL,
  "supportContact" TEXT NOT NULL,
  "testRecipient" TEXT NOT NULL,
  "fingerprint" TEXT NOT NULL,
  "appliedById" TEXT,
  "appliedAt" TIMESTAMP(3) NOT NULL,
  "copiedFrom" INTEGER
);
CREATE UNIQUE INDEX "ConfigVersion_tenantId_version_key" ON "ConfigVersion"("tenantId", "version");

CREATE TABLE "TenantPipeline" (
  "tenantId" TEXT NOT NULL PRIMARY KEY,
  "activeVersion" INTEGER,
  "paused" BOOLEAN NOT NULL DEFAULT false,
  "pausedReason" TEXT,
  "pausedAt" TIMESTAMP(3),
  "maxConnections" INTEGER NOT NULL DEFAULT 2,
  "ratePerMinute" INTEGER,
  "updatedAt" TIMESTAMP(3) NOT NULL
);

CREATE TABLE "PipelineToken" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "tenantId" TEXT NOT NULL,
  "tokenHash" TEXT NOT NULL,
  "prefix" TEXT NOT NULL,
  "createdById" TEXT,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "revokedAt" TIMESTAMP(3)
);
CREATE UNIQUE INDEX "PipelineToken_tokenHash_key" ON "PipelineToken"("tokenHash");

CREATE TABLE "Notification" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "tenantId" TEXT NOT NULL,
  "messageId" TEXT NOT NULL,
  "kind" TEXT NOT NULL,
  "subject" TEXT NOT NULL,
  "text" TEXT NOT NULL,
  "html" TEXT,
  "recipients" TEXT NOT NULL,
  "threadId" TEXT,
  "canary" BOOLEAN NOT NULL DEFAULT false,
  "status" TEXT NOT NULL,
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "nextAttemptAt" TIMESTAMP(3) NOT NULL,
  "leaseOwner" TEXT,
  "leaseUntil" TIMESTAMP(3),
  "lastReply" TEXT,
  "configVersion" INTEGER,
  "createdAt" TIMESTAMP(3) NOT NULL,
  "sentAt" TIMESTAMP(3),
  "deadAt" TIMESTAMP(3)
);
CREATE UNIQUE INDEX "Notification_messageId_key" ON "Notification"("messageId");
CREATE INDEX "Notification_status_nextAttemptAt_idx" ON "Notification"("status", "nextAttemptAt");
CREATE INDEX "Notification_tenantId_createdAt_idx" ON "Notification"("tenantId", "createdAt");
