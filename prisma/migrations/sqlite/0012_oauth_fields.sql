-- OAuth 2.0 sign-in (issue 12): the fields of lib/smtp-config-model.ts on requests and configuration versions.
-- Null unless a configuration uses them; the *Cipher columns hold write-only secrets, each bound to its row and field.
ALTER TABLE "SmtpRequest" ADD COLUMN "oauthProvider" TEXT;
ALTER TABLE "SmtpRequest" ADD COLUMN "oauthCloud" TEXT;
ALTER TABLE "SmtpRequest" ADD COLUMN "oauthTenantId" TEXT;
ALTER TABLE "SmtpRequest" ADD COLUMN "oauthClientId" TEXT;
ALTER TABLE "SmtpRequest" ADD COLUMN "oauthCertificate" TEXT;
ALTER TABLE "SmtpRequest" ADD COLUMN "oauthTokenUrl" TEXT;
ALTER TABLE "SmtpRequest" ADD COLUMN "oauthScope" TEXT;
ALTER TABLE "SmtpRequest" ADD COLUMN "oauthClientSecretCipher" TEXT;
ALTER TABLE "SmtpRequest" ADD COLUMN "oauthPrivateKeyCipher" TEXT;
ALTER TABLE "SmtpRequest" ADD COLUMN "oauthServiceAccountKeyCipher" TEXT;
ALTER TABLE "ConfigVersion" ADD COLUMN "oauthProvider" TEXT;
ALTER TABLE "ConfigVersion" ADD COLUMN "oauthCloud" TEXT;
ALTER TABLE "ConfigVersion" ADD COLUMN "oauthTenantId" TEXT;
ALTER TABLE "ConfigVersion" ADD COLUMN "oauthClientId" TEXT;
ALTER TABLE "ConfigVersion" ADD COLUMN "oauthCertificate" TEXT;
ALTER TABLE "ConfigVersion" ADD COLUMN "oauthTokenUrl" TEXT;
ALTER TABLE "ConfigVersion" ADD COLUMN "oauthScope" TEXT;
ALTER TABLE "ConfigVersion" ADD COLUMN "oauthClientSecretCipher" TEXT;
ALTER TABLE "ConfigVersion" ADD COLUMN "oauthPrivateKeyCipher" TEXT;
ALTER TABLE "ConfigVersion" ADD COLUMN "oauthServiceAccountKeyCipher" TEXT;
