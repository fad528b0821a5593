import 'server-only';
// An invitation link's token: 256 random bits, shown only in the mail; the database keeps its SHA-256.
import { randomBytes } from 'node:crypto';
import { hashToken } from '../auth/tokens';

const PREFIX = 'rdi_';

export function newInvitationToken(): { token: string; tokenHash: string } {
  const token = PREFIX + randomBytes(32).toString('base64url');
  return { token, tokenHash: hashToken(token) };
}

/** The hash to look a presented token up by, or null for something that cannot be a token (no lookup, no timing). */
export function invitationTokenHash(token: string): string | null {
  return /^rdi_[A-Za-z0-9_-]{43}$/.test(token) ? hashToken(token) : null;
}

/** The link in the mail; `?lang=` opens the page in the invitation's language for a reader who never chose one (proxy.ts). */
export function invitationLink(origin: string, token: string, locale: string): string {
  return `${origin.replace(/\/+$/, '')}/invitations/${token}?lang=${encodeURIComponent(locale)}`;
}
