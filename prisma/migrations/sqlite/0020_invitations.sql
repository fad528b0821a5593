-- Invitations by email: one row per link sent, only the token's SHA-256 stored (server/invitations/, docs/decisions/024).
CREATE TABLE "Invitation" (
  "id" TEXT NOT NULL PRIMARY KEY,
  "email" TEXT NOT NULL,
  "name" TEXT NOT NULL,
  "role" TEXT NOT NULL,
  "tenantId" TEXT,
  "locale" TEXT NOT NULL,
  "tokenHash" TEXT NOT NULL,
  "invitedById" TEXT NOT NULL,
  "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "expiresAt" DATETIME NOT NULL,
  "acceptedAt" DATETIME,
  "revokedAt" DATETIME,
  "replacedAt" DATETIME,
  "userId" TEXT
);
CREATE UNIQUE INDEX "Invitation_tokenHash_key" ON "Invitation"("tokenHash");
CREATE INDEX "Invitation_email_idx" ON "Invitation"("email");
CREATE INDEX "Invitation_tenantId_idx" ON "Invitation"("tenantId");
