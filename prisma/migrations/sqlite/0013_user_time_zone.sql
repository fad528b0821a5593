-- The time zone a user reads times in (an IANA name such as Asia/Shanghai): first the browser's, changeable on the profile.
ALTER TABLE "User" ADD COLUMN "timeZone" TEXT;
