import 'server-only';
// Every reply the pipeline stores (delivery log, pause reason, pipeline status, audit events) goes
// through here first: a server may echo the credentials it was given (plain, base64, inside the AUTH
// PLAIN blob), and may answer at any length (issue 11). One redaction function, one reply budget.
import { redactSecrets, secretForms } from '../smtp/redact';
import { shortenReply } from '../smtp/text-budget';

export type Credentials = { username: string; password: string | null };

/** The forms of a version's credentials that must never be stored (computed once per version). */
export function credentialForms(credentials: Credentials): string[] {
  return secretForms(credentials.username, credentials.password ?? '');
}

export function storedReply(text: string, secrets: string[]): string {
  return shortenReply(redactSecrets(text, secrets));
}
