// The fingerprint names exactly one configuration: every field that changes what is sent, where and as whom.
// The secrets enter through secretStamp, a random id renewed whenever a secret is typed, so the
// fingerprint changes with them without being derived from them. Fields a configuration does not use
// (null) are left out, so adding a field to the model leaves the fingerprints of older configurations as they were.
import { createHash } from 'node:crypto';
import { CONFIG_FIELDS, type ConfigContent } from '@/lib/smtp-config-model';
import { canonicalJson } from '../audit/canonical';

export type FingerprintFields = ConfigContent & { secretStamp: string | null };

export function configFingerprint(f: FingerprintFields): string {
  const fields: Record<string, unknown> = Object.fromEntries(CONFIG_FIELDS.filter((k) => f[k] !== null && f[k] !== false).map((k) => [k, f[k]]));
  fields.host = f.host.toLowerCase();
  fields.secretStamp = f.secretStamp;
  const digest = createHash('sha256').update(canonicalJson(fields)).digest('hex');
  return `sha256:${digest.slice(0, 32)}`;
}
