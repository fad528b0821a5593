-- Browser sessions held on the server, so sign-out really ends one (server/auth/sessions.ts).
CREATE TABLE "BrowserSession" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "userId" TEXT NOT NULL,
  "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "expiresAt" DATETIME NOT NULL,
  "endedAt" DATETIME
);
CREATE INDEX "BrowserSession_userId_idx" ON "BrowserSession"("userId");
