import 'server-only';
import { promises as dnsPromises } from 'node:dns';
import { parseDnsServers } from './dns-servers';

// The one resolver of the app: the destination guard, the OAuth token endpoints and the domain checks
// all ask it, so RELAYDESK_DNS_SERVERS points every lookup at one place (a test's loopback server, the
// demo zone). Each query is bounded (timeout × tries) and answers are kept briefly: a validation asks
// the same names several times (SPF includes, DMARC, the destination) within a second.

export { parseDnsServers };

export type DnsRecordType = 'A' | 'AAAA' | 'TXT' | 'MX' | 'CNAME';
export type ResolvedAddress = { address: string; family: number };

/** Per query and server; c-ares retries `tries` times, so one query waits at most ~ timeout × tries. */
const QUERY_TIMEOUT_MS = 1500;
const QUERY_TRIES = 2;
const ANSWER_TTL_MS = 30_000;
const FAILURE_TTL_MS = 5_000;
const CACHE_ENTRIES = 2_000;

type Current = { key: string; servers: string[]; resolver: dnsPromises.Resolver };
let current: Current | null = null;
const cache = new Map<string, { expires: number; answer: Promise<unknown> }>();

/** Read on each query (cheap), so a test that sets RELAYDESK_DNS_SERVERS is honoured without a restart. */
function resolverNow(): Current {
  const key = process.env.RELAYDESK_DNS_SERVERS ?? '';
  if (current?.key === key) return current;
  const servers = parseDnsServers(key);
  const resolver = new dnsPromises.Resolver({ timeout: QUERY_TIMEOUT_MS, tries: QUERY_TRIES });
  if (servers.length > 0) resolver.setServers(servers);
  cache.clear();
  current = { key, servers, resolver };
  return current;
}

/** Forget every kept answer (tests that change a zone, the health check's second look). */
export function clearDnsCache(): void {
  cache.clear();
}

function cached<T>(key: string, ask: () => Promise<T>): Promise<T> {
  const now = Date.now();
  const hit = cache.get(key);
  if (hit && hit.expires > now) return hit.answer as Promise<T>;
  const answer = ask();
  if (cache.size >= CACHE_ENTRIES) cache.clear();
  cache.set(key, { expires: now + ANSWER_TTL_MS, answer });
  answer.catch((error: NodeJS.ErrnoException) => {
    // "No such record" is an answer worth keeping as long as any; a timeout is worth asking again soon.
    const absent = error?.code === 'ENOTFOUND' || error?.code === 'ENODATA';
    const entry = cache.get(key);
    if (entry?.answer === answer) entry.expires = Date.now() + (absent ? ANSWER_TTL_MS : FAILURE_TTL_MS);
  });
  return answer;
}

/** One record set, shaped as node:dns's resolve() shapes it (TXT: string[][]; MX: { exchange, priority }[]). */
export function resolveRecords(name: string, type: 'TXT'): Promise<string[][]>;
export function resolveRecords(name: string, type: 'MX'): Promise<{ exchange: string; priority: number }[]>;
export function resolveRecords(name: string, type: 'A' | 'AAAA' | 'CNAME'): Promise<string[]>;
export function resolveRecords(name: string, type: DnsRecordType): Promise<unknown>;
export function resolveRecords(name: string, type: DnsRecordType): Promise<unknown> {
  const { key, resolver } = resolverNow();
  const host = name.toLowerCase().replace(/\.$/, '');
  return cached(`${key}|${type}|${host}`, () => resolver.resolve(host, type) as Promise<unknown>);
}

/** mailauth's resolver contract: (name, rrtype) → what dns.resolve answers. */
export const mailauthResolver = (name: string, type: string): Promise<unknown> => resolveRecords(name, type.toUpperCase() as DnsRecordType);

function isLocalhostName(host: string): boolean {
  return host === 'localhost' || host.endsWith('.localhost');
}

/**
 * Every address of a host name. Without RELAYDESK_DNS_SERVERS: the system's lookup (it also reads
 * /etc/hosts), as before. With it: A and AAAA from those servers, except "localhost" names.
 */
export async function lookupAddresses(hostName: string): Promise<ResolvedAddress[]> {
  const host = hostName.toLowerCase().replace(/\.$/, '');
  const { key, servers } = resolverNow();
  // "localhost" names never leave the machine (RFC 6761 6.3): the system's answer (/etc/hosts), as before.
  if (servers.length === 0 || isLocalhostName(host)) {
    return cached(`${key}|lookup|${host}`, () => dnsPromises.lookup(host, { all: true, verbatim: true }));
  }
  const [v4, v6] = await Promise.allSettled([resolveRecords(host, 'A'), resolveRecords(host, 'AAAA')]);
  const addresses = [
    ...(v4.status === 'fulfilled' ? v4.value.map((address) => ({ address, family: 4 })) : []),
    ...(v6.status === 'fulfilled' ? v6.value.map((address) => ({ address, family: 6 })) : []),
  ];
  if (addresses.length > 0) return addresses;
  const failure = [v4, v6].find((r): r is PromiseRejectedResult => r.status === 'rejected' && !['ENOTFOUND', 'ENODATA'].includes((r.reason as NodeJS.ErrnoException)?.code ?? ''));
  if (failure) throw failure.reason;
  throw Object.assign(new Error(`${host} has no address`), { code: 'ENOTFOUND', hostname: host });
}
