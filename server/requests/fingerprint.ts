// The fingerprint names exactly one configuration: every field that changes what is sent, where and as whom.
// The password enters through secretStamp, a random id renewed whenever a password is typed, so the
// fingerprint changes with the password without being derived from it.
import { createHash } from 'node:crypto';
import { canonicalJson } from '../audit/canonical';

export type FingerprintFields = {
  host: string;
  port: number;
  encryption: string;
  authMethod: string;
  username: string;
  secretStamp: string | null;
  heloDomain: string;
  noReplyAddress: string;
  noReplyName: string;
  supportContact: string;
  testRecipient: string;
  plaintextAuthAcknowledged?: boolean;
};

export function configFingerprint(f: FingerprintFields): string {
  const { host, port, encryption, authMethod, username, secretStamp, heloDomain, noReplyAddress, noReplyName, supportContact, testRecipient } = f;
  // Only when given: fingerprints of configurations without the acknowledgement stay what they were.
  const acknowledged = f.plaintextAuthAcknowledged ? { plaintextAuthAcknowledged: true } : {};
  const digest = createHash('sha256')
    .update(canonicalJson({ host: host.toLowerCase(), port, encryption, authMethod, username, secretStamp, heloDomain, noReplyAddress, noReplyName, supportContact, testRecipient, ...acknowledged }))
    .digest('hex');
  return `sha256:${digest.slice(0, 32)}`;
}
