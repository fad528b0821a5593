// Who the client is, believed only as far as the network allows: the socket peer, unless that peer is one
// of our own reverse proxies, in which case the rightmost X-Forwarded-For hop that is not ours.
// Plain module (no server-only): server/env.ts validates the variable with it at start.
import ipaddr from 'ipaddr.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

/** Parses RELAYDESK_TRUSTED_PROXIES (a comma list of IPs and CIDRs); throws naming the bad entry. */
export function parseTrustedProxies(value: string | undefined): Range[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry): Range => {
      if (ipaddr.isValidCIDR(entry)) {
        const [addr, bits] = ipaddr.parseCIDR(entry);
        return addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96 ? [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96] : [addr, bits];
      }
      if (ipaddr.isValid(entry)) {
        const addr = ipaddr.process(entry);
        return [addr, addr.kind() === 'ipv4' ? 32 : 128];
      }
      throw new Error(`"${entry}" is not an IP address or CIDR range`);
    });
}

/** The canonical text of an address (IPv4-mapped IPv6 becomes IPv4), or null when it is not one. */
export function normalizeAddress(value: string | null | undefined): string | null {
  const text = value
    ?.trim()
    .replace(/^\[|\]$/g, '')
    .replace(/%.*$/, '');
  if (!text || !ipaddr.isValid(text)) return null;
  return ipaddr.process(text).toString();
}

export function isTrusted(address: string, trusted: Range[]): boolean {
  const addr = ipaddr.process(address);
  return trusted.some(([range, bits]) => range.kind() === addr.kind() && addr.match(range, bits));
}

/**
 * The client's address: the socket peer; when the peer is a trusted proxy, walk X-Forwarded-For from the
 * right past our own proxies and take the first hop that is not one of them (anything left of it was
 * written by the client and proves nothing). Unparseable hops end the walk at the last good address.
 */
export function clientAddress(peer: string | null, forwardedFor: string | null, trusted: Range[]): string | null {
  let client = normalizeAddress(peer);
  if (!client || !isTrusted(client, trusted) || !forwardedFor) return client;
  const hops = forwardedFor.split(',').reverse();
  for (const hop of hops) {
    const addr = normalizeAddress(hop);
    if (!addr) return client;
    client = addr;
    if (!isTrusted(addr, trusted)) return addr;
  }
  return client;
}
