import 'server-only';
import ipaddr from 'ipaddr.js';
import { AppError } from '../app-error';
import { lookupAddresses } from '../dns/resolver';

// Relaydesk connects to customer-supplied hosts from inside our network, so a host name is an SSRF
// vector. The guard resolves the name once, checks every address, and hands the probe the address to
// connect to, so nothing re-resolves between the check and the connect (no DNS rebinding window).

export type ResolvedAddress = { address: string; family: number };
export type LookupFn = (host: string) => Promise<ResolvedAddress[]>;

export type DestinationOptions = {
  /** Raw SMTP_ALLOWED_HOSTS entries (see parseAllowList). */
  allowedHosts: string[];
  allowedPorts: number[];
  /** Injected in tests; defaults to the app's resolver (server/dns/resolver.ts). */
  lookup?: LookupFn;
};

export type CheckedDestination = {
  /** The address to connect to: an IP literal, never a name. */
  address: string;
  family: 4 | 6;
  /** Every address the name resolved to (all of them passed the check). */
  addresses: string[];
  /** Name for SNI and the certificate check; '' when the user typed an IP literal. */
  servername: string;
};

export const DEFAULT_ALLOWED_PORTS = [25, 465, 587, 2525];

type AllowEntry =
  | { kind: 'cidr'; range: [ipaddr.IPv4 | ipaddr.IPv6, number]; port: number | null }
  | { kind: 'ip'; ip: ipaddr.IPv4 | ipaddr.IPv6; port: number | null }
  | { kind: 'host'; host: string; port: number | null };

type RefusalReason = 'invalid-host' | 'port-not-allowed' | 'address-not-public';

function refuse(reason: RefusalReason, message: string, extra: Record<string, unknown> = {}): never {
  const field = reason === 'port-not-allowed' ? 'port' : 'host';
  throw new AppError('DESTINATION_REFUSED', message, { reason, field, ...extra });
}

/** ::ffff:a.b.c.d and the well-known NAT64 prefix 64:ff9b::/96 reach an IPv4 host: judge that host. */
export function normaliseAddress(ip: ipaddr.IPv4 | ipaddr.IPv6): ipaddr.IPv4 | ipaddr.IPv6 {
  if (ip.kind() === 'ipv4') return ip;
  const v6 = ip as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address();
  const [a, b, c, d, e, f, g, h] = v6.parts;
  if (a === 0x64 && b === 0xff9b && !c && !d && !e && !f && g !== undefined && h !== undefined) {
    return new ipaddr.IPv4([g >> 8, g & 0xff, h >> 8, h & 0xff]);
  }
  return v6;
}

/** True only for global unicast. Deprecated IPv4-compatible ::a.b.c.d is refused outright. */
export function isPublicUnicast(ip: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  const n = normaliseAddress(ip);
  if (n.kind() === 'ipv6' && (n as ipaddr.IPv6).parts.slice(0, 6).every((p) => p === 0)) return false;
  return n.range() === 'unicast';
}

function parsePort(text: string, entry: string): number {
  const port = Number(text);
  if (!/^\d{1,5}$/.test(text) || port < 1 || port > 65535) throw new Error(`Invalid port in SMTP_ALLOWED_HOSTS entry "${entry}"`);
  return port;
}

function parseAllowEntry(entry: string): AllowEntry {
  if (ipaddr.isValidCIDR(entry)) return { kind: 'cidr', range: ipaddr.parseCIDR(entry), port: null };
  if (ipaddr.isValid(entry)) return { kind: 'ip', ip: ipaddr.parse(entry), port: null };
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed?.[1] && ipaddr.IPv6.isValid(bracketed[1])) {
    return { kind: 'ip', ip: ipaddr.parse(bracketed[1]), port: bracketed[2] ? parsePort(bracketed[2], entry) : null };
  }
  const hostPort = /^([^:\s]+)(?::(\d+))?$/.exec(entry);
  if (!hostPort?.[1]) throw new Error(`Invalid SMTP_ALLOWED_HOSTS entry "${entry}"`);
  const port = hostPort[2] ? parsePort(hostPort[2], entry) : null;
  if (ipaddr.isValid(hostPort[1])) return { kind: 'ip', ip: ipaddr.parse(hostPort[1]), port };
  if (!/^[a-z0-9._-]+$/i.test(hostPort[1])) throw new Error(`Invalid SMTP_ALLOWED_HOSTS entry "${entry}"`);
  return { kind: 'host', host: normaliseHostName(hostPort[1]), port };
}

/**
 * SMTP_ALLOWED_HOSTS: comma list of IPs, CIDRs or host[:port] ([v6]:port). Throws on a bad entry so
 * a typo fails at start instead of silently allowing nothing. An entry with a port also allows that
 * port even when it is not in SMTP_ALLOWED_PORTS: the operator named the exact destination.
 */
export function parseAllowList(env: string | undefined): string[] {
  const entries = (env ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  for (const entry of entries) parseAllowEntry(entry);
  return entries;
}

/** SMTP_ALLOWED_PORTS; empty means the default 25, 465, 587, 2525. */
export function allowedPortsFrom(env: string | undefined): number[] {
  const parts = (env ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  if (parts.length === 0) return [...DEFAULT_ALLOWED_PORTS];
  return parts.map((p) => parsePort(p, env ?? ''));
}

function normaliseHostName(host: string): string {
  return host.toLowerCase().replace(/\.$/, '');
}

function sameAddress(a: ipaddr.IPv4 | ipaddr.IPv6, b: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  const na = normaliseAddress(a);
  const nb = normaliseAddress(b);
  return na.kind() === nb.kind() && na.toNormalizedString() === nb.toNormalizedString();
}

function entryMatches(entry: AllowEntry, hostName: string, ip: ipaddr.IPv4 | ipaddr.IPv6): boolean {
  if (entry.kind === 'host') return entry.host === hostName;
  if (entry.kind === 'ip') return sameAddress(entry.ip, ip);
  const [net] = entry.range;
  return [ip, normaliseAddress(ip)].some((candidate) => candidate.kind() === net.kind() && candidate.match(entry.range));
}

/** The app's one resolver (server/dns): RELAYDESK_DNS_SERVERS, bounded, cached briefly. */
const defaultLookup: LookupFn = lookupAddresses;

/** Strips [ ] around an IPv6 literal; refuses anything that could not be a host name or address. */
function cleanHost(raw: string): string {
  const host = raw.trim().replace(/^\[(.*)\]$/, '$1');

  if (!host || host.length > 253 || /[\s\x00-\x1f\x7f/\\@]/.test(host)) {
    refuse('invalid-host', `"${raw}" is not a host name or IP address`);
  }
  return host;
}

/**
 * Decides whether the probe may connect to host:port, before any socket opens. Refuses with
 * AppError('DESTINATION_REFUSED', …, { reason, field }) unless the port is allowed and every resolved
 * address is public unicast or allow-listed. DNS errors propagate (the probe diagnoses DNS_FAILED).
 */
export async function checkDestination(rawHost: string, port: number, { allowedHosts, allowedPorts, lookup = defaultLookup }: DestinationOptions): Promise<CheckedDestination> {
  const host = cleanHost(rawHost);
  const entries = allowedHosts.map(parseAllowEntry);
  const portListed = allowedPorts.includes(port);
  if (!Number.isInteger(port) || port < 1 || port > 65535 || (!portListed && !entries.some((e) => e.port === port))) {
    refuse('port-not-allowed', `Port ${port} is not allowed; allowed ports: ${allowedPorts.join(', ')}`, { port });
  }

  // Odd IPv4 literals (127.1, 2130706433, 0x7f000001, 0177.0.0.1) mean what inet_aton says they
  // mean; ipaddr.js parses them the same way, so a literal never goes through a resolver at all.
  const literal = ipaddr.isValid(host);
  const resolved = literal ? [ipaddr.parse(host)] : (await lookup(host)).map((r) => ipaddr.parse(r.address));
  if (resolved.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND' });

  const hostName = literal ? '' : normaliseHostName(host);
  for (const ip of resolved) {
    const matching = entries.filter((e) => entryMatches(e, hostName, ip));
    const allowed = matching.some((e) => e.port === port) || (portListed && (isPublicUnicast(ip) || matching.some((e) => e.port === null)));
    if (!allowed) {
      const shown = ip.toString();
      const range = normaliseAddress(ip).range();
      const why = portListed ? `a ${range} address, not a public one` : `not allowed on port ${port}`;
      refuse('address-not-public', `${host} resolves to ${shown}, ${why}`, { address: shown, range });
    }
  }

  const first = resolved[0]!;
  return {
    address: first.toString(),
    family: first.kind() === 'ipv4' ? 4 : 6,
    addresses: resolved.map((ip) => ip.toString()),
    servername: literal ? '' : host.replace(/\.$/, ''),
  };
}
