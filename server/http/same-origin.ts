import 'server-only';
// A browser's unsafe request made with the session cookie must come from a page of this app: a cookie is
// sent along on cross-site requests too, so without this check any site could act as the signed-in user.
// Browsers send Origin on every POST/PATCH/PUT/DELETE and Sec-Fetch-Site on every request; a request with
// neither is refused as well (cookie clients outside a browser should use a personal access token).
import { AppError } from '../app-error';
import { normalizeAddress, isTrusted } from '../core/client-address';
import { PEER_HEADER, trustedProxies } from '../core/request-meta';

export const UNSAFE_METHODS = new Set(['POST', 'PATCH', 'PUT', 'DELETE']);

/** The host (name:port) a request was addressed to: a trusted proxy's X-Forwarded-Host, else Host. */
export function addressedHost(headers: Headers): string | null {
  const peer = normalizeAddress(headers.get(PEER_HEADER));
  const forwarded = peer && isTrusted(peer, trustedProxies()) ? headers.get('x-forwarded-host')?.split(',')[0]?.trim() : null;
  return (forwarded || headers.get('host'))?.toLowerCase() || null;
}

function ownHost(request: Request): string {
  return addressedHost(request.headers) ?? new URL(request.url).host.toLowerCase();
}

export function isSameOrigin(request: Request): boolean {
  const origin = request.headers.get('origin');
  if (origin && origin !== 'null') {
    try {
      return new URL(origin).host.toLowerCase() === ownHost(request);
    } catch {
      return false;
    }
  }
  return request.headers.get('sec-fetch-site') === 'same-origin';
}

export function requireSameOrigin(request: Request): void {
  if (!isSameOrigin(request))
    throw new AppError('FORBIDDEN', 'A signed-in browser may change things only from Relaydesk’s own pages (the Origin of this request is another site).');
}
