import 'server-only';
import { ReplyFailure, type SmtpReply } from '../smtp/probe-errors';
import { REDACTED } from '../smtp/redact';
import type { SmtpClient } from '../smtp/smtp-client';

// SASL XOAUTH2 as Google and Microsoft define it: one initial response, base64 of
// "user=<mailbox>^Aauth=Bearer <token>^A^A". A refusal may come as a 334 carrying a base64 JSON error
// ({"status":"401","schemes":"bearer","scope":"…"}); the client answers it with an empty line and
// reads the final reply.

export function xoauth2Response(user: string, token: string): string {
  return Buffer.from(`user=${user}\x01auth=Bearer ${token}\x01\x01`, 'utf8').toString('base64');
}

/** The JSON a server put in its 334 challenge, or null when it is not one. */
export function readXOAuth2Challenge(reply: SmtpReply): Record<string, unknown> | null {
  const payload = reply.lines[0]?.trim() ?? '';
  if (!payload) return null;
  try {
    const json: unknown = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
    return json && typeof json === 'object' && !Array.isArray(json) ? (json as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/** Runs AUTH XOAUTH2 and returns the final reply (235 on success); the payload is recorded as [redacted]. */
export async function exchangeXOAuth2(
  client: SmtpClient,
  user: string,
  token: string,
  budget: () => number,
  signal: AbortSignal | undefined,
  note: (text: string) => void,
): Promise<SmtpReply> {
  const reply = await client.command(`AUTH XOAUTH2 ${xoauth2Response(user, token)}`, budget(), signal, `AUTH XOAUTH2 ${REDACTED}`);
  if (reply.code !== 334) return reply;
  const challenge = readXOAuth2Challenge(reply);
  if (challenge) {
    const shown = ['status', 'schemes', 'scope'].filter((k) => challenge[k] !== undefined).map((k) => `${k}=${String(challenge[k])}`);
    note(`The server refused the token: ${shown.join(', ') || JSON.stringify(challenge).slice(0, 200)}`);
  }
  const final = await client.command('', budget(), signal);
  if (final.code === 235) throw new ReplyFailure(final); // a 334 followed by success is not XOAUTH2
  return final;
}
