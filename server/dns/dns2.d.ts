// dns2 2.1 ships no types: the little the zone server uses.
declare module 'dns2' {
  import type { Socket } from 'node:dgram';

  type Question = { name: string; type: number; class: number };
  type Answer = { name: string; type: number; class: number; ttl: number } & Record<string, unknown>;
  class Packet {
    header: { id: number; qr: number; aa: number; rcode: number };
    questions: Question[];
    answers: Answer[];
    static TYPE: Record<'A' | 'AAAA' | 'TXT' | 'MX' | 'CNAME' | 'SOA' | 'ANY', number>;
    static CLASS: { IN: number };
    static createResponseFromRequest(request: Packet): Packet;
  }
  class UDPServer extends Socket {
    listen(port: number, address: string): Promise<void>;
  }
  const DNS: {
    Packet: typeof Packet;
    createUDPServer(handler: (request: Packet, send: (response: Packet) => Promise<unknown>) => void): UDPServer;
  };
  export default DNS;
}
