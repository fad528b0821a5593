import 'server-only';
import { promises as dnsPromises } from 'node:dns';
import DNS from 'dns2';

// A small authoritative DNS server on loopback serving an in-memory zone: the demo's sandbox domain and
// the tests' zones. The zone is a plain object the caller may change while the server runs (a test that
// removes a record). Names absent from the zone answer NXDOMAIN; a name without the asked type, an empty
// NOERROR (what c-ares reports as ENODATA); a CNAME is followed within the zone.

export type ZoneRecords = {
  A?: string[];
  AAAA?: string[];
  /** Each entry one TXT record; longer than 255 bytes is split into character strings as DNS requires. */
  TXT?: string[];
  MX?: { exchange: string; priority: number }[];
  CNAME?: string;
};
export type Zone = Record<string, ZoneRecords>;

export type RunningZoneServer = {
  /** 127.0.0.1:<port>, ready for RELAYDESK_DNS_SERVERS. */
  address: string;
  port: number;
  zone: Zone;
  /** Lets the process exit while the server still listens (a test process's background server). */
  unref: () => void;
  close: () => Promise<void>;
};

const { Packet } = DNS;
const TTL = 60;
const NXDOMAIN = 3;

function chunks(text: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += 255) parts.push(text.slice(i, i + 255));
  return parts.length > 0 ? parts : [''];
}

function answersFor(zone: Zone, name: string, type: number, depth = 0): Record<string, unknown>[] | null {
  const records = zone[name.toLowerCase().replace(/\.$/, '')];
  if (!records) return null;
  const base = { name, class: Packet.CLASS.IN, ttl: TTL };
  if (records.CNAME && type !== Packet.TYPE.CNAME) {
    const alias = { ...base, type: Packet.TYPE.CNAME, domain: records.CNAME };
    const further = depth < 8 ? answersFor(zone, records.CNAME, type, depth + 1) : [];
    return [alias, ...(further ?? [])];
  }
  switch (type) {
    case Packet.TYPE.A:
      return (records.A ?? []).map((address) => ({ ...base, type, address }));
    case Packet.TYPE.AAAA:
      return (records.AAAA ?? []).map((address) => ({ ...base, type, address }));
    case Packet.TYPE.TXT:
      return (records.TXT ?? []).map((text) => ({ ...base, type, data: chunks(text) }));
    case Packet.TYPE.MX:
      return (records.MX ?? []).map(({ exchange, priority }) => ({ ...base, type, exchange, priority }));
    case Packet.TYPE.CNAME:
      return records.CNAME ? [{ ...base, type, domain: records.CNAME }] : [];
    default:
      return [];
  }
}

const TYPE_NAMES: Record<number, keyof ZoneRecords> = {
  [Packet.TYPE.A]: 'A',
  [Packet.TYPE.AAAA]: 'AAAA',
  [Packet.TYPE.TXT]: 'TXT',
  [Packet.TYPE.MX]: 'MX',
  [Packet.TYPE.CNAME]: 'CNAME',
};

/** A name outside the zone, asked of the system's resolver (the demo: real hosts still resolve). */
async function forwarded(resolver: dnsPromises.Resolver, name: string, type: number): Promise<ZoneRecords | null> {
  const typeName = TYPE_NAMES[type];
  if (!typeName) return {};
  try {
    const answer = (await resolver.resolve(name, typeName)) as unknown;
    if (typeName === 'TXT') return { TXT: (answer as string[][]).map((parts) => parts.join('')) };
    if (typeName === 'CNAME') return { CNAME: (answer as string[])[0] ?? '' };
    return { [typeName]: answer } as ZoneRecords;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ENODATA' ? {} : null;
  }
}

export type ZoneServerOptions = { host?: string; port?: number; /** Ask the system's resolver for names neither in the zone nor under one of its names. */ forward?: boolean };

export async function startZoneServer(zone: Zone, { host = '127.0.0.1', port = 0, forward = false }: ZoneServerOptions = {}): Promise<RunningZoneServer> {
  const upstream = forward ? new dnsPromises.Resolver({ timeout: 1500, tries: 2 }) : null;
  const server = DNS.createUDPServer((request, send) => {
    void (async () => {
      const response = Packet.createResponseFromRequest(request);
      response.header.aa = 1;
      const question = request.questions[0];
      if (question) {
        let answers = answersFor(zone, question.name, question.type);
        // Names in or under the zone's own names are ours to answer: only the rest is forwarded.
        const name = question.name.toLowerCase().replace(/\.$/, '');
        const ours = Object.keys(zone).some((key) => name === key || name.endsWith(`.${key}`));
        if (answers === null && upstream && !ours) {
          const records = await forwarded(upstream, question.name, question.type);
          answers = records ? answersFor({ [question.name.toLowerCase()]: records }, question.name, question.type) : null;
        }
        if (answers === null) response.header.rcode = NXDOMAIN;
        else response.answers.push(...(answers as never[]));
      }
      await send(response);
    })().catch(() => {});
  });
  server.on('error', () => {});
  await server.listen(port, host);
  const bound = server.address().port;
  return {
    address: `${host}:${bound}`,
    port: bound,
    zone,
    unref: () => server.unref(),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
