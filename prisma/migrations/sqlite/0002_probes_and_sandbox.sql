CREATE TABLE "ProbeRun" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "requestId" TEXT NOT NULL,
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
CREATE INDEX "ProbeRun_requestId_startedAt_idx" ON "ProbeRun"("requestId", "startedAt");

CREATE TABLE "SandboxMessage" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "receivedAt" DATETIME NOT NULL,
  "mailFrom" TEXT NOT NULL,
  "rcptTo" TEXT NOT NULL,
  "headerFrom" TEXT NOT NULL,
  "headerTo" TEXT NOT NULL,
  "subject" TEXT NOT NULL,
  "messageId" TEXT,
  "authUser" TEXT,
  "raw" TEXT NOT NULL
);
CREATE INDEX "SandboxMessage_receivedAt_idx" ON "SandboxMessage"("receivedAt");

CREATE TABLE "SandboxSetting" (
  "key" TEXT NOT NULL PRIMARY KEY,
  "value" TEXT NOT NULL
);
