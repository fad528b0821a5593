import 'server-only';
import { probeSettings } from '../probes/probe-settings';
import type { OAuthSettings } from './oauth-settings';
import { AccessTokenCache, asDeliveryFailure, isTokenRefused } from './token-cache';

// The pipeline's side of OAuth: nodemailer speaks XOAUTH2 (auth type OAuth2) and asks provisionCallback for
// a token whenever a pooled connection logs in; the callback answers from the per-version cache. A refusal
// after a 334 challenge makes nodemailer itself ask again with renew = true (one renewal); a bare 535 is
// renewed once here. Either way a second refusal reaches the worker as EAUTH 535 and pauses the tenant.

type ProvisionCallback = (user: string, renew: boolean, callback: (error: Error | null, accessToken: string, expires: number) => void) => void;
export type OAuth2Auth = { type: 'OAuth2'; user: string; provisionCallback: ProvisionCallback };

const TOKEN_TIMEOUT_MS = 15_000;

export class PipelineTokens {
  private readonly renewals = new Map<string, number>();

  constructor(
    readonly cache: AccessTokenCache = new AccessTokenCache(() => {
      const settings = probeSettings();
      return { allowedHosts: settings.allowedHosts, allowedPorts: settings.allowedPorts, trustedCa: settings.trustedCa, timeoutMs: TOKEN_TIMEOUT_MS };
    }),
  ) {}

  /** nodemailer's auth option for a version whose authMethod is oauth2. */
  auth(key: string, settings: OAuthSettings): OAuth2Auth {
    return {
      type: 'OAuth2',
      user: settings.mailbox,
      provisionCallback: (_user, renew, callback) => {
        if (renew) this.renewals.set(key, (this.renewals.get(key) ?? 0) + 1);
        this.cache.get(key, settings, { renew }).then(
          ({ token }) => callback(null, token.value, token.renewAt),
          (error: Error) => callback(error, '', 0),
        );
      },
    };
  }

  /** Runs one send; renews once on a bare 535 with a cached token, and hands the worker a classifiable error. */
  async send<T>(key: string, settings: OAuthSettings, work: () => Promise<T>): Promise<T> {
    const before = this.renewals.get(key) ?? 0;
    try {
      return await work();
    } catch (error) {
      if (!isTokenRefused(error)) throw asDeliveryFailure(error);
      this.cache.invalidate(key);
      if ((this.renewals.get(key) ?? 0) > before) throw error; // nodemailer already renewed once
      try {
        await this.cache.get(key, settings, { renew: true });
        return await work();
      } catch (again) {
        if (isTokenRefused(again)) this.cache.invalidate(key);
        throw asDeliveryFailure(again);
      }
    }
  }
}
