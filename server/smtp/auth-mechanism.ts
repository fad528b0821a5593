import 'server-only';
import { createHmac } from 'node:crypto';
import { ReplyFailure, type SmtpReply } from './probe-errors';
import { REDACTED } from './redact';
import type { SmtpClient } from './smtp-client';
import type { AuthMethod } from './types';

export type Mechanism = 'PLAIN' | 'LOGIN' | 'CRAM-MD5';

// 'auto' order. Inside TLS the password is protected anyway, and PLAIN is the one mechanism every
// server implements correctly (CRAM-MD5 forces the server to keep a reversible password, and many
// disable it). Without TLS, CRAM-MD5 is preferred because it is the only one that does not put the
// password on the wire.
const OVER_TLS: Mechanism[] = ['PLAIN', 'LOGIN', 'CRAM-MD5'];
const IN_CLEAR: Mechanism[] = ['CRAM-MD5', 'PLAIN', 'LOGIN'];

/** The mechanism to use, or null when the server offers none that fits. */
export function chooseMechanism(method: AuthMethod, offered: string[], secure: boolean): Mechanism | null {
  const wanted: Mechanism[] = method === 'auto' ? (secure ? OVER_TLS : IN_CLEAR) : method === 'none' ? [] : [method.toUpperCase() as Mechanism];
  return wanted.find((m) => offered.includes(m)) ?? null;
}

export function base64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64');
}

/** RFC 4616 initial response without an authorisation identity. */
export function plainResponse(username: string, password: string): string {
  return base64(`\0${username}\0${password}`);
}

/** RFC 2195: "user hex(HMAC-MD5(password, challenge))", base64. */
export function cramMd5Response(username: string, password: string, challengeBase64: string): string {
  const challenge = Buffer.from(challengeBase64.trim(), 'base64');
  const digest = createHmac('md5', password).update(challenge).digest('hex');
  return base64(`${username} ${digest}`);
}

/**
 * Runs the SASL exchange and returns the server's final reply (235 on success). Every line that
 * carries a credential is handed to the client with REDACTED as the text to record.
 */
export async function exchangeAuth(
  client: SmtpClient,
  mechanism: Mechanism,
  { username, password }: { username: string; password: string },
  budget: () => number,
  signal?: AbortSignal,
): Promise<SmtpReply> {
  const challenge = (reply: SmtpReply) => {
    if (reply.code !== 334) throw new ReplyFailure(reply);
    return reply.lines[0] ?? '';
  };
  if (mechanism === 'PLAIN') {
    return client.command(`AUTH PLAIN ${plainResponse(username, password)}`, budget(), signal, `AUTH PLAIN ${REDACTED}`);
  }
  if (mechanism === 'LOGIN') {
    challenge(await client.command('AUTH LOGIN', budget(), signal));
    challenge(await client.command(base64(username), budget(), signal, REDACTED));
    return client.command(base64(password), budget(), signal, REDACTED);
  }
  const nonce = challenge(await client.command('AUTH CRAM-MD5', budget(), signal));
  return client.command(cramMd5Response(username, password, nonce), budget(), signal, REDACTED);
}
