// A real third-party DNS server on loopback: Debian's dnsmasq (package dnsmasq-base) answering a test zone
// from its own configuration, as a customer's or a hosting provider's resolver would. The domain checks'
// tests run against it as well as against our own zone server (server/dns/zone-server.ts), so what our
// server answers more kindly than a real one shows. dnsmasqAvailable() says why not when it is missing.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createSocket } from 'node:dgram';
import os from 'node:os';
import path from 'node:path';
import { txtStrings, type Zone } from '@/server/dns/zone-server';

const DNSMASQ = '/usr/sbin/dnsmasq';

export type RunningDnsmasq = { address: string; port: number; close: () => Promise<void> };

export function dnsmasqAvailable(): string | null {
  return existsSync(DNSMASQ) ? null : `${DNSMASQ} is not installed (apt-get install dnsmasq-base)`;
}

/** A TXT record's text as dnsmasq's quoted character strings. */
function quotedStrings(text: string): string {
  return txtStrings(text)
    .map((part) => `"${part.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`)
    .join(',');
}

/**
 * dnsmasq's configuration for a zone: every name is answered from it, and a name under one of the zone's
 * top names that is not in it answers NXDOMAIN (`local=`); nothing is asked upstream.
 */
function dnsmasqConfig(zone: Zone, port: number): string {
  const lines = [`port=${port}`, 'listen-address=127.0.0.1', 'bind-interfaces', 'no-resolv', 'no-hosts', 'no-poll', 'no-negcache', 'cache-size=0'];
  const names = Object.keys(zone);
  const tops = names.filter((name) => !names.some((other) => other !== name && name.endsWith(`.${other}`)));
  for (const top of tops) lines.push(`local=/${top}/`);
  for (const [name, records] of Object.entries(zone)) {
    if (records.CNAME) lines.push(`cname=${name},${records.CNAME}`);
    for (const text of records.TXT ?? []) lines.push(`txt-record=${name},${quotedStrings(text)}`);
    for (const { exchange, priority } of records.MX ?? []) lines.push(`mx-host=${name},${exchange},${priority}`);
    for (const address of [...(records.A ?? []), ...(records.AAAA ?? [])]) lines.push(`host-record=${name},${address}`);
  }
  return `${lines.join('\n')}\n`;
}

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1');
  await once(socket, 'listening');
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** Starts dnsmasq serving the zone on 127.0.0.1 and resolves once it answers. */
export async function startDnsmasq(zone: Zone): Promise<RunningDnsmasq> {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-dnsmasq-'));
  const port = await freeUdpPort();
  const conf = path.join(directory, 'dnsmasq.conf');
  writeFileSync(conf, dnsmasqConfig(zone, port));
  // In the foreground (the test owns it), no pid file, and as the user running the test (root drops to nobody).
  const child = spawn(DNSMASQ, ['--keep-in-foreground', `--conf-file=${conf}`, '--pid-file=', ...(process.getuid?.() === 0 ? ['--user=root'] : [])], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = once(child, 'exit').then(() => {
    throw new Error(`dnsmasq exited: ${stderr.trim()}`);
  });
  exited.catch(() => {});
  await Promise.race([answers(port), exited]);
  return {
    address: `127.0.0.1:${port}`,
    port,
    async close() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'exit');
      }
      rmSync(directory, { recursive: true, force: true });
    },
  };
}

/** Waits until a query to the port gets any reply (dnsmasq binds within milliseconds of starting). */
async function answers(port: number): Promise<void> {
  const query = Buffer.from('000101000001000000000000036e6f6e0000010001', 'hex'); // id 1, RD, "non." A
  for (let attempt = 0; attempt < 100; attempt++) {
    const socket = createSocket('udp4');
    socket.on('error', () => {}); // not listening yet: try again
    try {
      const reply = new Promise<boolean>((resolve) => {
        socket.once('message', () => resolve(true));
        setTimeout(() => resolve(false), 50);
      });
      socket.send(query, port, '127.0.0.1');
      if (await reply) return;
    } finally {
      socket.close();
    }
  }
  throw new Error(`dnsmasq did not answer on 127.0.0.1:${port}`);
}
