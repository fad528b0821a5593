// The forms in which a password could leak: plain, and base64 (standard and url-safe, padded or not)
// of the password alone and of the SASL blobs that carry it (PLAIN "\0user\0pass", its authzid form,
// and the "user:pass" of HTTP Basic). Written independently of server/smtp/redact.ts on purpose.
export function passwordForms(password: string, username = ''): string[] {
  const forms = new Set<string>([password]);
  const encode = (text: string) => {
    for (const encoded of [Buffer.from(text, 'utf8').toString('base64'), Buffer.from(text, 'utf8').toString('base64url')]) {
      forms.add(encoded);
      forms.add(encoded.replace(/=+$/, ''));
    }
  };
  encode(password);
  if (username) {
    encode(`\0${username}\0${password}`);
    encode(`${username}\0${username}\0${password}`);
    encode(`${username}:${password}`);
  }
  return [...forms];
}

/** The forms of `forms` that occur in `text` (case-sensitive: base64 is). */
export function leakedForms(text: string, forms: string[]): string[] {
  return forms.filter((form) => text.includes(form));
}

/**
 * The forms in which a credential file could leak: those of `passwordForms`, the JSON-escaped text, and each
 * long line of it (a PEM body line, a line of a key file), plain and base64, so a leak of part of a key is found.
 */
export function credentialForms(secret: string): string[] {
  const forms = new Set<string>(passwordForms(secret));
  forms.add(JSON.stringify(secret).slice(1, -1));
  for (const line of secret.split(/\r?\n|\\n/)) {
    const body = line.trim();
    if (body.length >= 40 && !body.startsWith('-----')) for (const form of passwordForms(body)) forms.add(form);
  }
  return [...forms];
}
