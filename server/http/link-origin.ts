import 'server-only';
// Where links in Relaydesk's own mail point. There is no public-URL setting (server/env.ts), so it is the
// origin the signed-in user's browser used for this request: its Origin header when it names this host
// (same-origin, as every form post has), else the addressed host over http, or over a trusted proxy's
// X-Forwarded-Proto. A public-URL setting, once there is one, should win over both.
import { normalizeAddress, isTrusted } from '../core/client-address';
import { PEER_HEADER, trustedProxies } from '../core/request-meta';
import { addressedHost } from './same-origin';

export function linkOrigin(headers: Headers): string {
  const host = addressedHost(headers) ?? 'localhost';
  const origin = headers.get('origin');
  if (origin && origin !== 'null') {
    try {
      const url = new URL(origin);
      if (url.host.toLowerCase() === host && (url.protocol === 'https:' || url.protocol === 'http:')) return url.origin;
    } catch {
      // not a URL: fall through
    }
  }
  const peer = normalizeAddress(headers.get(PEER_HEADER));
  const proto = peer && isTrusted(peer, trustedProxies()) ? headers.get('x-forwarded-proto')?.split(',')[0]?.trim() : null;
  return `${proto === 'https' ? 'https' : 'http'}://${host}`;
}
