// RELAYDESK_DNS_SERVERS parsing, without 'server-only' so server/env.ts can validate it at start.
import ipaddr from 'ipaddr.js';

/**
 * RELAYDESK_DNS_SERVERS: comma list of ip, ip:port or [v6]:port. Throws naming the entry on a typo, so a
 * bad value fails at start instead of silently falling back to the system's resolver.
 */
export function parseDnsServers(value: string | undefined): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  return entries.map((entry) => {
    const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(entry);
    const v4Port = /^([\d.]+):(\d{1,5})$/.exec(entry);
    const [ip, port] = bracketed ? [bracketed[1]!, bracketed[2]] : v4Port ? [v4Port[1]!, v4Port[2]] : [entry, undefined];
    const validIp = ipaddr.IPv4.isValidFourPartDecimal(ip) || ipaddr.IPv6.isValid(ip);
    const validPort = port === undefined || (Number(port) >= 1 && Number(port) <= 65535);
    if (!validIp || !validPort) throw new Error(`Invalid RELAYDESK_DNS_SERVERS entry "${entry}": an IP address, ip:port or [v6]:port`);
    const v6 = ipaddr.IPv6.isValid(ip);
    return port === undefined ? ip : v6 ? `[${ip}]:${port}` : `${ip}:${port}`;
  });
}
