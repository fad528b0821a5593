import 'server-only';
// The OAuth credentials a customer types are parsed here with node:crypto (the form checks only their
// shape): a certificate that does not parse, a key that does not, or a key that is not the certificate's,
// is an error naming its field, so the customer learns it now and not at the TAM's first live check.
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import type { SecretValues } from '@/lib/smtp-config-model';

export type FieldError = { path: string; message: string };

function parseKey(pem: string): KeyObject | null {
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return null;
  }
}

function parseCertificate(pem: string): X509Certificate | null {
  try {
    return new X509Certificate(pem);
  } catch {
    return null;
  }
}

export function oauthCredentialErrors(config: { oauthCertificate: string | null }, typed: SecretValues): FieldError[] {
  const errors: FieldError[] = [];
  const certificate = config.oauthCertificate ? parseCertificate(config.oauthCertificate) : null;
  if (config.oauthCertificate && !certificate) errors.push({ path: 'oauthCertificate', message: 'oauthCertificateInvalid' });
  if (typed.oauthPrivateKey) {
    const key = parseKey(typed.oauthPrivateKey);
    // Entra signs client assertions with RS256: the certificate's key must be RSA.
    if (!key) errors.push({ path: 'oauthPrivateKey', message: 'oauthPrivateKeyInvalid' });
    else if (key.asymmetricKeyType !== 'rsa') errors.push({ path: 'oauthPrivateKey', message: 'oauthPrivateKeyNotRsa' });
    else if (certificate && !certificate.checkPrivateKey(key)) errors.push({ path: 'oauthPrivateKey', message: 'oauthKeyMismatch' });
  }
  if (typed.oauthServiceAccountKey) {
    const { private_key: pem } = JSON.parse(typed.oauthServiceAccountKey) as { private_key: string };
    const key = parseKey(pem);
    if (!key || key.asymmetricKeyType !== 'rsa') errors.push({ path: 'oauthServiceAccountKey', message: 'oauthServiceAccountKeyNoPrivateKey' });
  }
  return errors;
}
