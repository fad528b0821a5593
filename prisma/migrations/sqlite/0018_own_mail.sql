-- Relaydesk's own mail and in-app notifications (issue 14, docs/decisions/022): a small outbox the
-- notification worker claims beside the tenants' notifications, the in-app list, and preferences per kind.
CREATE TABLE "OwnMail" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "messageId" TEXT NOT NULL,
  "kind" TEXT NOT NULL,
  "toAddress" TEXT NOT NULL,
  "userId" TEXT,
  "locale" TEXT NOT NULL,
  "subject" TEXT NOT NULL,
  "text" TEXT NOT NULL,
  "html" TEXT NOT NULL,
  "sensitive" BOOLEAN NOT NULL DEFAULT false,
  "threadKey" TEXT,
  "status" TEXT NOT NULL,
  "attempts" INTEGER NOT NULL DEFAULT 0,
  "nextAttemptAt" DATETIME NOT NULL,
  "leaseOwner" TEXT,
  "leaseUntil" DATETIME,
  "lastReply" TEXT,
  "lastErrorAt" DATETIME,
  "createdAt" DATETIME NOT NULL,
  "sentAt" DATETIME,
  "deadAt" DATETIME
);
CREATE UNIQUE INDEX "OwnMail_messageId_key" ON "OwnMail"("messageId");
CREATE INDEX "OwnMail_status_nextAttemptAt_idx" ON "OwnMail"("status", "nextAttemptAt");
CREATE TABLE "InAppNotice" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "userId" TEXT NOT NULL,
  "kind" TEXT NOT NULL,
  "tenantId" TEXT,
  "requestId" TEXT,
  "params" TEXT NOT NULL,
  "link" TEXT NOT NULL,
  "createdAt" DATETIME NOT NULL,
  "readAt" DATETIME
);
CREATE INDEX "InAppNotice_userId_createdAt_idx" ON "InAppNotice"("userId", "createdAt");
CREATE INDEX "InAppNotice_userId_readAt_idx" ON "InAppNotice"("userId", "readAt");
CREATE TABLE "NotificationPreference" (
  "userId" TEXT NOT NULL,
  "kind" TEXT NOT NULL,
  "mail" BOOLEAN NOT NULL DEFAULT true,
  "inApp" BOOLEAN NOT NULL DEFAULT true,
  PRIMARY KEY ("userId", "kind")
);
