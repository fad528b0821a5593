import 'server-only';
// Where links in Relaydesk's own mail point: RELAYDESK_PUBLIC_URL when set (server/env.ts), else the
// origin the signed-in user's browser used for this request: its Origin header when it names this host
// (same-origin, as every form post has), else the addressed host over http, or over a trusted proxy's
// X-Forwarded-Proto.
import { normalizeAddress, isTrusted } from '../core/client-address';
import { PEER_HEADER, trustedProxies } from '../core/request-meta';
import { addressedHost } from './same-origin';
import { publicUrl, readEnv } from '../env';

export function linkOrigin(headers: Headers): string {
  const configured = readEnv().RELAYDESK_PUBLIC_URL;
  if (configured) return publicUrl();
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
