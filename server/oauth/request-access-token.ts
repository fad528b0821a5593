import 'server-only';
import { AppError } from '../app-error';
import { IoFailure } from '../smtp/probe-errors';
import type { OAuthSettings } from './oauth-settings';
import { checkTokenDestination, postForm, type GuardOptions } from './post-form';
import { readProviderError, translateProviderError } from './provider-errors';
import { EndpointSettingError, tokenEndpoint, type OAuthEnv } from './token-endpoints';
import { TokenFailure } from './token-failure';
import { buildTokenRequest } from './token-request';
import { certificateExpiry } from './credential-expiry';

export type AccessToken = {
  value: string;
  /** Epoch ms at which the provider says the token expires. */
  expiresAt: number;
  /** Epoch ms at which it was obtained. */
  obtainedAt: number;
};

export type TokenRequestOptions = GuardOptions & {
  /** The whole exchange, guard and DNS included. */
  timeoutMs: number;
  /** Told what happens, already redacted (the probe's transcript). */
  record?: (text: string) => void;
  env?: OAuthEnv;
  now?: () => number;
};

export type TokenOutcome = { token: AccessToken; detail: string; secrets: string[] };

const WHY_REFUSED: Record<string, string> = { 'port-not-allowed': 'portNotAllowed', 'address-not-public': 'addressNotPublic', 'invalid-host': 'invalidHost' };

function endpointFailure(url: URL, error: unknown, field: 'oauthTokenUrl' | null): TokenFailure {
  const shown = `${url.origin}${url.pathname}`;
  if (error instanceof AppError && error.code === 'DESTINATION_REFUSED') {
    const why = WHY_REFUSED[String(error.details.reason)] ?? 'addressNotPublic';
    return new TokenFailure('OAUTH_ENDPOINT_REFUSED', field, { url: shown, why }, `Token endpoint refused by the destination guard: ${error.message}`, false);
  }
  if (error instanceof IoFailure && error.kind === 'aborted') throw error;
  if (error instanceof IoFailure && error.kind === 'protocol') {
    return new TokenFailure('OAUTH_ENDPOINT_BAD_RESPONSE', field, { url: shown, reason: error.message }, `Token endpoint ${shown}: ${error.message}`, false);
  }
  const reason = error instanceof IoFailure ? (error.errno ?? error.message) : ((error as NodeJS.ErrnoException)?.code ?? String((error as Error)?.message ?? error));
  // TLS verification failures are settings (or an attack), not an outage.
  const tlsProblem = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|altname/i.test(`${reason} ${(error as Error)?.message ?? ''}`);
  return new TokenFailure('OAUTH_ENDPOINT_UNREACHABLE', tlsProblem ? field : null, { url: shown, reason }, `Token endpoint ${shown} not reachable: ${reason}`, !tlsProblem);
}

/**
 * Obtains an access token for XOAUTH2: builds and signs the provider's request, sends it through the
 * destination guard, and turns every failure into a TokenFailure naming the field to change.
 */
export async function requestAccessToken(settings: OAuthSettings, options: TokenRequestOptions): Promise<TokenOutcome> {
  const now = options.now ?? Date.now;
  const started = performance.now();
  const left = () => Math.max(0, Math.floor(options.timeoutMs - (performance.now() - started)));
  const record = options.record ?? (() => {});
  let endpoint;
  try {
    endpoint = tokenEndpoint(settings, options.env);
  } catch (error) {
    if (error instanceof EndpointSettingError) throw new TokenFailure('OAUTH_CREDENTIAL_INVALID', error.field, { reason: error.message }, error.message, false);
    throw error;
  }
  const urlField = settings.provider === 'generic' ? 'oauthTokenUrl' : null;
  const request = await buildTokenRequest(settings, endpoint, now());
  record(request.shown);

  let destination;
  try {
    destination = await checkTokenDestination(endpoint.url, options);
  } catch (error) {
    throw endpointFailure(endpoint.url, error, urlField);
  }
  record(destination.servername ? `${destination.servername} resolves to ${destination.addresses.join(', ')}` : `Token endpoint at ${destination.address}`);

  let response;
  try {
    response = await postForm(endpoint.url, destination, request.form, request.headers, left(), options);
  } catch (error) {
    throw endpointFailure(endpoint.url, error, urlField);
  }
  const shownUrl = `${endpoint.url.origin}${endpoint.url.pathname}`;
  record(`HTTP ${response.status} ${response.contentType.split(';')[0] ?? ''} (${response.body.length} bytes)`);

  if (response.status >= 300 && response.status < 400) {
    throw new TokenFailure(
      'OAUTH_ENDPOINT_BAD_RESPONSE',
      urlField,
      { url: shownUrl, reason: `HTTP ${response.status} redirect (not followed)` },
      `The token endpoint answered with a redirect (HTTP ${response.status}); redirects are not followed`,
      false,
    );
  }
  if (response.status >= 500 || response.status === 429) {
    const providerError = readProviderError(response.body);
    const reason = `HTTP ${response.status}${providerError ? ` ${providerError.error}` : ''}`;
    throw new TokenFailure('OAUTH_ENDPOINT_UNREACHABLE', null, { url: shownUrl, reason }, `The token endpoint answered ${reason}`, true);
  }
  if (response.status !== 200) {
    const providerError = readProviderError(response.body);
    if (!providerError) {
      throw new TokenFailure(
        'OAUTH_ENDPOINT_BAD_RESPONSE',
        urlField,
        { url: shownUrl, reason: `HTTP ${response.status}, no OAuth error` },
        `The token endpoint answered HTTP ${response.status} without an OAuth error`,
        false,
      );
    }
    const failure = translateProviderError(providerError, settings, response.status, request.context);
    if (failure.diagnosis?.code === 'OAUTH_ENDPOINT_UNREACHABLE') failure.diagnosis.params.url = shownUrl;
    throw failure;
  }
  let json: { access_token?: unknown; expires_in?: unknown; token_type?: unknown };
  try {
    json = JSON.parse(response.body) as typeof json;
  } catch {
    throw new TokenFailure(
      'OAUTH_ENDPOINT_BAD_RESPONSE',
      urlField,
      { url: shownUrl, reason: 'not JSON' },
      'The token endpoint answered 200 with something that is not JSON',
      false,
    );
  }
  if (typeof json.access_token !== 'string' || !json.access_token) {
    throw new TokenFailure('OAUTH_ENDPOINT_BAD_RESPONSE', urlField, { url: shownUrl, reason: 'no access_token' }, 'The token endpoint answered 200 without an access_token', false);
  }
  const expiresIn = Number(json.expires_in);
  const obtainedAt = now();
  const seconds = Number.isFinite(expiresIn) && expiresIn > 0 ? expiresIn : 3600;
  const token = { value: json.access_token, obtainedAt, expiresAt: obtainedAt + seconds * 1000 };
  record(`Access token obtained from ${shownUrl} (${String(json.token_type ?? 'Bearer')}, expires in ${Math.round(seconds)} s)`);
  // The client certificate's end date, so the check that proves it works also says until when (issue 15).
  const certificateEnd = settings.provider === 'microsoft' && settings.certificate ? certificateExpiry(settings.certificate) : null;
  const validUntil = certificateEnd ? `; client certificate valid until ${certificateEnd.toISOString().slice(0, 10)}` : '';
  if (certificateEnd) record(`Client certificate valid until ${certificateEnd.toISOString()}`);
  const detail = `${request.shown} → HTTP 200: access token (${String(json.token_type ?? 'Bearer')}), expires in ${Math.round(seconds)} s${validUntil}`;
  return { token, detail, secrets: [...request.secrets, json.access_token] };
}
