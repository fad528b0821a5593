-- The customer's explicit acknowledgement that the password crosses the network readable (encryption
-- none, a server without TLS): the live check refuses to send AUTH in clear without it (decision 012).
ALTER TABLE "SmtpRequest" ADD COLUMN "plaintextAuthAcknowledged" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "ConfigVersion" ADD COLUMN "plaintextAuthAcknowledged" BOOLEAN NOT NULL DEFAULT false;
