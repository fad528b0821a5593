import 'server-only';
// The one place a request's client address, user agent and request id are read — for route handlers,
// server actions and auth events alike, feeding audit events, sign-in throttles and rate limits. Every
// value is bounded before anything stores it.
import { randomUUID } from 'node:crypto';
import { headers } from 'next/headers';
import { clientAddress, parseTrustedProxies } from './client-address';

/** Set by the web server from the socket (scripts/peer-address.mjs), over anything a client sent. */
export const PEER_HEADER = 'x-relaydesk-peer';
export const MAX_USER_AGENT = 512;
export const MAX_REQUEST_ID = 128;

let cached: { value: string; ranges: ReturnType<typeof parseTrustedProxies> } | null = null;
/** RELAYDESK_TRUSTED_PROXIES, parsed once per value (validated at start by server/env.ts). */
export function trustedProxies() {
  const value = process.env.RELAYDESK_TRUSTED_PROXIES ?? '';
  if (cached?.value !== value) cached = { value, ranges: parseTrustedProxies(value) };
  return cached.ranges;
}

const PRINTABLE = /^[\x21-\x7e]+$/;

export type RequestMeta = { ip: string | null; userAgent: string | null; requestId: string | null };

export function requestMeta(headers: Headers): RequestMeta {
  const userAgent =
    headers
      .get('user-agent')
      ?.replace(/[\u0000-\u001f\u007f]/g, '')
      .slice(0, MAX_USER_AGENT) || null;
  const givenId = headers.get('x-request-id')?.trim().slice(0, MAX_REQUEST_ID);
  return {
    ip: clientAddress(headers.get(PEER_HEADER), headers.get('x-forwarded-for'), trustedProxies()),
    userAgent,
    requestId: givenId && PRINTABLE.test(givenId) ? givenId : randomUUID(),
  };
}

/** The request being served, where there is no Request object (server actions, next-auth's events). */
export async function currentRequestMeta(): Promise<RequestMeta> {
  return requestMeta(await headers());
}
