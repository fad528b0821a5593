import 'server-only';

// AUTH PLAIN and LOGIN put the username and password on the wire as base64: a transcript that keeps
// them "encoded" still hands out the password. The probe replaces whole AUTH payload lines when it
// records them; redactSecrets is the second net for anything else (server echoes, error messages,
// logs), looking for the password in plain text and in every base64 form the mechanisms use.
// The username is not a secret (decision 012): with Microsoft 365 or Google it is the mailbox, and
// "MAIL FROM:<[redacted]>" would hide exactly what the customer must read. Only its base64 form, an
// AUTH LOGIN payload nobody reads, stays redacted.

export const REDACTED = '[redacted]';

/** Shorter plain secrets are not searched for in free text: replacing every "ab" would shred the transcript. */
const MIN_PLAIN_LENGTH = 3;

function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Every string that must never appear: the password plain and base64 (padded and not), the SASL PLAIN blobs. */
export function secretForms(username: string, password: string): string[] {
  const forms = new Set<string>();
  const addBase64 = (text: string) => {
    if (!text) return;
    const encoded = base64(text);
    forms.add(encoded);
    forms.add(encoded.replace(/=+$/, ''));
  };
  if (password.length >= MIN_PLAIN_LENGTH) forms.add(password);
  addBase64(password);
  addBase64(username);
  if (password) {
    addBase64(`\0${username}\0${password}`);
    addBase64(`${username}\0${username}\0${password}`);
  }
  // Longest first, so a blob is replaced whole before a shorter form could split it.
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

// A probe redacts every line it records with the same list: each form's pattern is built once per list,
// and only when a text long enough to hold it comes (an OAuth access token's patterns are long, and slow
// to compile; most lines are shorter than the token, so they never need them).
type Form = { secret: string; pattern: RegExp | null };
const compiled = new WeakMap<string[], Form[]>();

function formsOf(secrets: string[]): Form[] {
  let forms = compiled.get(secrets);
  if (!forms) {
    forms = secrets.filter(Boolean).map((secret) => ({ secret, pattern: null }));
    compiled.set(secrets, forms);
  }
  return forms;
}

/** Replaces every occurrence of the given secrets (see secretForms) in text, one form after another. */
export function redactSecrets(text: string, secrets: string[]): string {
  let out = text;
  for (const form of formsOf(secrets)) {
    // A case-insensitive match is exactly as long as the secret (one code unit per pattern character):
    // a shorter text cannot hold it.
    if (out.length < form.secret.length) continue;
    form.pattern ??= new RegExp(escapeRegExp(form.secret), 'gi');
    out = out.replace(form.pattern, REDACTED);
  }
  return out;
}

/** The line as it may be recorded: AUTH payloads never, whatever they contain. */
export function redactAuthCommand(line: string): string {
  const match = /^(AUTH\s+[A-Z0-9-]+)(\s+\S.*)?$/i.exec(line);
  if (match) return match[2] ? `${match[1]} ${REDACTED}` : line;
  return line;
}
