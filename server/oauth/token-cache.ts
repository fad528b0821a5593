import 'server-only';
import type { OAuthSettings } from './oauth-settings';
import { requestAccessToken, type AccessToken, type TokenRequestOptions } from './request-access-token';
import { TokenFailure } from './token-failure';

// One access token per tenant configuration version, shared by every pooled connection of that version.
// A token is renewed ahead of its expiry (5 minutes before, or at half its life when it lives shorter),
// so a connection never authenticates with a token about to lapse; concurrent callers share one request.

export type CachedToken = AccessToken & { renewAt: number };
export type TokenLease = { token: CachedToken; fresh: boolean };

const AHEAD_MS = 5 * 60_000;

export function renewAt(token: AccessToken): number {
  const life = token.expiresAt - token.obtainedAt;
  return token.expiresAt - Math.min(AHEAD_MS, Math.floor(life / 2));
}

export class AccessTokenCache {
  private tokens = new Map<string, CachedToken>();
  private pending = new Map<string, Promise<CachedToken>>();

  constructor(
    private readonly options: () => Omit<TokenRequestOptions, 'record'>,
    private readonly now: () => number = Date.now,
  ) {}

  /** The cached token while it is not due for renewal; otherwise a new one (one request at a time per key). */
  async get(key: string, settings: OAuthSettings, { renew = false } = {}): Promise<TokenLease> {
    const cached = this.tokens.get(key);
    if (cached && !renew && this.now() < cached.renewAt) return { token: cached, fresh: false };
    let pending = this.pending.get(key);
    if (!pending) {
      pending = requestAccessToken(settings, this.options()).then(({ token }) => {
        const entry = { ...token, renewAt: renewAt(token) };
        this.tokens.set(key, entry);
        return entry;
      });
      this.pending.set(key, pending);
      void pending.finally(() => this.pending.delete(key)).catch(() => {});
    }
    return { token: await pending, fresh: true };
  }

  /** Forgets a token the SMTP server refused, so the next get asks the identity provider. */
  invalidate(key: string, value?: string): void {
    const cached = this.tokens.get(key);
    if (cached && (value === undefined || cached.value === value)) this.tokens.delete(key);
  }

  drop(prefix: string): void {
    for (const key of this.tokens.keys()) if (key.startsWith(prefix)) this.tokens.delete(key);
  }
}

type MailerError = Error & { code?: string; responseCode?: number; response?: string };

/**
 * What the worker's classification should see for an OAuth failure: a token endpoint that is down or
 * slow is temporary (no code, so it is retried with backoff); settings or consent the provider refused
 * pause the tenant (EAUTH, like a 535). nodemailer marks every token failure EAUTH, so it is undone here.
 */
export function asDeliveryFailure(error: unknown): unknown {
  if (!(error instanceof TokenFailure)) return error;
  const hint = error.diagnosis ? `${error.diagnosis.code}${error.providerCode ? ` ${error.providerCode}` : ''}` : 'OAUTH';
  const failure: MailerError = new Error(`token: ${hint}: ${error.message}`);
  failure.response = `token: ${hint}: ${error.message}`;
  if (!error.temporary) failure.code = 'EAUTH';
  return Object.assign(failure, { tokenFailure: error });
}

/** A 535/534 to AUTH XOAUTH2: the token may have been revoked; worth one renewal. */
export function isTokenRefused(error: unknown): boolean {
  const e = error as MailerError | null;
  return e?.code === 'EAUTH' && (e.responseCode === 535 || e.responseCode === 534) && !(error instanceof TokenFailure);
}
