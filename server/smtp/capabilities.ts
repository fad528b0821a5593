import 'server-only';
import type { SmtpReply } from './probe-errors';

export type Capabilities = {
  /** Keyword lines as listed after the greeting line of the EHLO reply. */
  lines: string[];
  starttls: boolean;
  /** Upper-case SASL mechanism names from AUTH (and the old AUTH= form). */
  authMechanisms: string[];
  /** Maximum message size in bytes; 0 = offered without a limit; null = SIZE not offered. */
  size: number | null;
  eightBitMime: boolean;
  pipelining: boolean;
};

export function parseCapabilities(reply: SmtpReply | null): Capabilities {
  const lines = reply
    ? reply.lines
        .slice(1)
        .map((l) => l.trim())
        .filter(Boolean)
    : [];
  const mechanisms = new Set<string>();
  let size: number | null = null;
  const keywords = new Set<string>();
  for (const line of lines) {
    const [keyword = '', ...args] = line.split(/[\s=]+/);
    const upper = keyword.toUpperCase();
    keywords.add(upper);
    if (upper === 'AUTH') for (const m of args) mechanisms.add(m.toUpperCase());
    if (upper === 'SIZE') size = Number(args[0] ?? 0) || 0;
  }
  return {
    lines,
    starttls: keywords.has('STARTTLS'),
    authMechanisms: [...mechanisms],
    size,
    eightBitMime: keywords.has('8BITMIME'),
    pipelining: keywords.has('PIPELINING'),
  };
}

/** One line for the step detail; STARTTLS is not worth mentioning once TLS is up. */
export function describeCapabilities(caps: Capabilities, secure: boolean): string {
  const parts = [
    ...(secure ? [] : [`STARTTLS ${caps.starttls ? 'offered' : 'not offered'}`]),
    `AUTH ${caps.authMechanisms.length ? caps.authMechanisms.join(' ') : 'not offered'}`,
    caps.size === null ? 'no SIZE' : caps.size ? `SIZE ${caps.size}` : 'SIZE (no limit)',
  ];
  if (caps.eightBitMime) parts.push('8BITMIME');
  if (caps.pipelining) parts.push('PIPELINING');
  return parts.join('; ');
}
