// RELAYDESK_SECRET_KEYS = "keyId:base64-of-32-bytes,…": the last one encrypts, all of them decrypt.
import { randomBytes } from 'node:crypto';

export type SecretKey = { id: string; key: Buffer };

export function parseSecretKeys(value: string): SecretKey[] {
  return value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const sep = entry.indexOf(':');
      const id = entry.slice(0, sep);
      const key = Buffer.from(entry.slice(sep + 1), 'base64');
      if (sep <= 0 || !/^[A-Za-z0-9_-]+$/.test(id) || key.length !== 32) {
        throw new Error('RELAYDESK_SECRET_KEYS: each entry must be keyId:base64-of-32-bytes');
      }
      return { id, key };
    });
}

export function generateSecretKeyEntry(id: string): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}
