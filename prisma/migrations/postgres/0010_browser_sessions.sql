-- Browser sessions held on the server, so sign-out really ends one (server/auth/sessions.ts).
CREATE TABLE "BrowserSession" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "userId" TEXT NOT NULL,
  "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "expiresAt" TIMESTAMP(3) NOT NULL,
  "endedAt" TIMESTAMP(3)
);
CREATE INDEX "BrowserSession_userId_idx" ON "BrowserSession"("userId");
