// A real DNS server on loopback (UDP, dns-packet) serving a test zone, with RELAYDESK_DNS_SERVERS pointed at
// it, so every lookup of the app (destination guard, OAuth endpoints, domain checks) asks it.
import { startZoneServer, type RunningZoneServer, type Zone } from '@/server/dns/zone-server';
import { clearDnsCache } from '@/server/dns/resolver';

export type TestDns = RunningZoneServer & { set: (name: string, records: Zone[string] | undefined) => void };

/** Points every lookup of the app at a test DNS server; the returned function points it back. */
export function pointDnsAt(address: string): () => void {
  const previous = process.env.RELAYDESK_DNS_SERVERS;
  process.env.RELAYDESK_DNS_SERVERS = address;
  clearDnsCache();
  return () => {
    if (previous === undefined) delete process.env.RELAYDESK_DNS_SERVERS;
    else process.env.RELAYDESK_DNS_SERVERS = previous;
    clearDnsCache();
  };
}

export async function startTestDns(zone: Zone = {}): Promise<TestDns> {
  const server = await startZoneServer(zone);
  const pointBack = pointDnsAt(server.address);
  return {
    ...server,
    /** Changes a name's records (undefined removes it) and forgets every kept answer. */
    set(name, records) {
      if (records) zone[name] = records;
      else delete zone[name];
      clearDnsCache();
    },
    async close() {
      pointBack();
      await server.close();
    },
  };
}

/** A zone of n chained includes, to exceed SPF's 10-lookup limit. */
export function spfIncludeChain(domain: string, n: number): Zone {
  const zone: Zone = {};
  for (let i = 0; i < n; i++) zone[`spf${i}.${domain}`] = { TXT: [i + 1 < n ? `v=spf1 include:spf${i + 1}.${domain} -all` : 'v=spf1 ip4:198.51.100.7 -all'] };
  return zone;
}
