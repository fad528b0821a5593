import 'server-only';
// Sealing and opening the write-only fields of a request or configuration version: one ciphertext column
// per secret, each bound to its row and field.
import { SECRET_FIELDS, cipherColumn, type SecretColumns, type SecretField, type SecretValues } from '@/lib/smtp-config-model';
import { decryptSecret, encryptSecret } from '../crypto/secret-box';

export type Binding = (field: SecretField) => string;

/** Every cipher column: the sealed value of each secret given, null for the others. */
export function sealSecrets(secrets: SecretValues, bind: Binding): SecretColumns {
  return Object.fromEntries(SECRET_FIELDS.map((k) => [cipherColumn(k), secrets[k] ? encryptSecret(secrets[k], bind(k)) : null])) as SecretColumns;
}

/** The plaintext of every stored secret (decrypted just for the caller's use, never stored as is). */
export function openSecrets(row: SecretColumns, bind: Binding): SecretValues {
  const out: SecretValues = {};
  for (const k of SECRET_FIELDS) {
    const cipher = row[cipherColumn(k)];
    if (cipher !== null) out[k] = decryptSecret(cipher, bind(k));
  }
  return out;
}

/** Only the cipher columns of a row (a Prisma row has many more). */
export function secretColumnsOf(row: SecretColumns): SecretColumns {
  return Object.fromEntries(SECRET_FIELDS.map((k) => [cipherColumn(k), row[cipherColumn(k)]])) as SecretColumns;
}

/** What an audit event says of the secrets: "set" / "not set", or "changed" when a new one was typed. */
export function secretAudit(before: SecretColumns | null, after: SecretColumns, typed: SecretValues): { before: Record<string, string>; after: Record<string, string> } {
  const b: Record<string, string> = {};
  const a: Record<string, string> = {};
  for (const k of SECRET_FIELDS) {
    const was = before ? before[cipherColumn(k)] : null;
    const now = after[cipherColumn(k)];
    if (before && !typed[k] && was === now) continue;
    if (!before && k !== 'password' && now === null) continue;
    if (before) b[k] = was ? 'set' : 'not set';
    a[k] = now ? (before && typed[k] ? 'changed' : 'set') : 'not set';
  }
  return { before: b, after: a };
}

/**
 * Every text of a secret that must never be shown: the value, and for PEM keys and JSON key files the
 * long lines they are made of (a redactor looking for the whole value would miss one line of it).
 */
export function secretFragments(secrets: SecretValues): string[] {
  const out = new Set<string>();
  const add = (text: string) => {
    if (!text) return;
    out.add(text);
    for (const line of text.split(/\r?\n/)) if (line.trim().length >= 16 && !/^-----(BEGIN|END) /.test(line.trim())) out.add(line.trim());
  };
  for (const value of Object.values(secrets)) {
    add(value);
    try {
      const json = JSON.parse(value) as Record<string, unknown>;
      if (typeof json.private_key === 'string') add(json.private_key);
      if (typeof json.private_key_id === 'string') out.add(json.private_key_id);
    } catch {
      // not JSON: nothing more to take apart
    }
  }
  return [...out];
}
