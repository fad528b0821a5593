-- When a user last changed their password: browser sessions signed in before it end (server/auth/load-user.ts).
ALTER TABLE "User" ADD COLUMN "passwordChangedAt" TIMESTAMP(3);
