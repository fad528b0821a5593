import 'server-only';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { promises as dnsPromises } from 'node:dns';
import * as packet from 'dns-packet';

// A small authoritative DNS server on loopback serving an in-memory zone: the demo's sandbox domain and
// the tests' zones. The zone is a plain object the caller may change while the server runs (a test that
// removes a record). Names absent from the zone answer NXDOMAIN; a name without the asked type, an empty
// NOERROR (what c-ares reports as ENODATA); a CNAME is followed within the zone. Packets are read and
// written by dns-packet (decision 029: dns2's bit-by-bit writer spent ~0.25 ms of CPU per answer).

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

const TTL = 60;
const NXDOMAIN = 3;
const ANSWERED = ['A', 'AAAA', 'TXT', 'MX', 'CNAME'] as const;
type AnsweredType = (typeof ANSWERED)[number];

/** A TXT record's text as DNS character strings: at most 255 bytes each. */
export function txtStrings(text: string): string[] {
  const parts: string[] = [];
  for (let i = 0; i < text.length; i += 255) parts.push(text.slice(i, i + 255));
  return parts.length > 0 ? parts : [''];
}

const normal = (name: string) => name.toLowerCase().replace(/\.$/, '');

function answersFor(zone: Zone, name: string, type: string, depth = 0): packet.Answer[] | null {
  const records = zone[normal(name)];
  if (!records) return null;
  const base = { name, class: 'IN', ttl: TTL } as const;
  if (records.CNAME && type !== 'CNAME') {
    const alias: packet.Answer = { ...base, type: 'CNAME', data: records.CNAME };
    const further = depth < 8 ? answersFor(zone, records.CNAME, type, depth + 1) : [];
    return [alias, ...(further ?? [])];
  }
  switch (type) {
    case 'A':
      return (records.A ?? []).map((data) => ({ ...base, type: 'A', data }));
    case 'AAAA':
      return (records.AAAA ?? []).map((data) => ({ ...base, type: 'AAAA', data }));
    case 'TXT':
      return (records.TXT ?? []).map((text) => ({ ...base, type: 'TXT', data: txtStrings(text) }));
    case 'MX':
      return (records.MX ?? []).map(({ exchange, priority }) => ({ ...base, type: 'MX', data: { exchange, preference: priority } }));
    case 'CNAME':
      return records.CNAME ? [{ ...base, type: 'CNAME', data: records.CNAME }] : [];
    default:
      return [];
  }
}

/** A name outside the zone, asked of the system's resolver (the demo: real hosts still resolve). */
async function forwarded(resolver: dnsPromises.Resolver, name: string, type: string): Promise<ZoneRecords | null> {
  if (!(ANSWERED as readonly string[]).includes(type)) return {};
  const typeName = type as AnsweredType;
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
  const socket = createSocket(host.includes(':') ? 'udp6' : 'udp4');

  async function answer(query: packet.DecodedPacket): Promise<Buffer> {
    const question = query.questions?.[0];
    let rcode = 0;
    let answers: packet.Answer[] = [];
    if (question) {
      let found = answersFor(zone, question.name, question.type);
      // Names in or under the zone's own names are ours to answer: only the rest is forwarded.
      const name = normal(question.name);
      const ours = Object.keys(zone).some((key) => name === key || name.endsWith(`.${key}`));
      if (found === null && upstream && !ours) {
        const records = await forwarded(upstream, question.name, question.type);
        found = records ? answersFor({ [name]: records }, question.name, question.type) : null;
      }
      if (found === null) rcode = NXDOMAIN;
      else answers = found;
    }
    const flags = packet.AUTHORITATIVE_ANSWER | ((query.flags ?? 0) & packet.RECURSION_DESIRED) | rcode;
    return packet.encode({ type: 'response', id: query.id, flags, questions: query.questions ?? [], answers });
  }

  socket.on('message', (message, peer) => {
    let query: packet.DecodedPacket;
    try {
      query = packet.decode(message);
    } catch {
      return; // not a DNS query: nothing to answer
    }
    answer(query)
      .then((reply) => socket.send(reply, peer.port, peer.address))
      .catch(() => {});
  });
  socket.on('error', () => {});
  socket.bind(port, host);
  await once(socket, 'listening');
  const bound = socket.address().port;
  return {
    address: host.includes(':') ? `[${host}]:${bound}` : `${host}:${bound}`,
    port: bound,
    zone,
    unref: () => socket.unref(),
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
