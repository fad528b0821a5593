import 'server-only';
// Envelope for stored secrets: AES-256-GCM, a key id with every ciphertext, and associated data that binds
// the ciphertext to its row (tenant + object id), so a ciphertext copied to another row does not decrypt.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { parseSecretKeys, type SecretKey } from './secret-keys';

const FORMAT = 'v1';

export function encryptSecret(plaintext: string, boundTo: string, keys: SecretKey[] = currentKeys()): string {
  const key = keys[keys.length - 1];
  if (!key) throw new Error('No secret key configured (RELAYDESK_SECRET_KEYS)');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key.key, iv);
  cipher.setAAD(Buffer.from(boundTo, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [FORMAT, key.id, iv.toString('base64'), cipher.getAuthTag().toString('base64'), body.toString('base64')].join(':');
}

export function decryptSecret(envelope: string, boundTo: string, keys: SecretKey[] = currentKeys()): string {
  const [format, keyId, iv, tag, body] = envelope.split(':');
  if (format !== FORMAT || !keyId || !iv || !tag || body === undefined) throw new Error('Unreadable secret envelope');
  const key = keys.find((k) => k.id === keyId);
  if (!key) throw new Error(`Secret key "${keyId}" is not configured`);
  const decipher = createDecipheriv('aes-256-gcm', key.key, Buffer.from(iv, 'base64'));
  decipher.setAAD(Buffer.from(boundTo, 'utf8'));
  decipher.setAuthTag(Buffer.from(tag, 'base64'));
  return Buffer.concat([decipher.update(Buffer.from(body, 'base64')), decipher.final()]).toString('utf8');
}

/** The same secret under the newest key (rotate-keys): decrypted with whichever key sealed it, sealed again. */
export function reencryptSecret(envelope: string, boundTo: string, keys: SecretKey[] = currentKeys()): string {
  return encryptSecret(decryptSecret(envelope, boundTo, keys), boundTo, keys);
}

export function keyIdOf(envelope: string): string | undefined {
  return envelope.split(':')[1];
}

export function currentKeys(): SecretKey[] {
  return parseSecretKeys(process.env.RELAYDESK_SECRET_KEYS ?? '');
}
