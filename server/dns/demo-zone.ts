import 'server-only';
import { generateKeyPairSync } from 'node:crypto';
import { startZoneServer, type RunningZoneServer, type Zone } from './zone-server';

// The demo's DNS (issue 15): the sandbox domain acme.example has every record a careful sender
// publishes, so `npm start` shows a green domain report; globex.example has the usual mistakes (SPF
// without the server, DMARC p=reject, no DKIM, no MX), so switching a request's no-reply address to
// noreply@globex.example shows the failures. Other names are asked of the system's resolver.

export const DEMO_GOOD_DOMAIN = 'acme.example';
export const DEMO_BAD_DOMAIN = 'globex.example';
export const DEMO_DKIM_SELECTOR = 'default';

export type DemoDkimKey = { privateKey: string; publicKey: string };

/** A key for this process's life: the sandbox signs with it, the zone publishes its public half. */
export function demoDkimKey(): DemoDkimKey {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return {
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
  };
}

export function demoZone(dkimPublicKey: string): Zone {
  return {
    [DEMO_GOOD_DOMAIN]: { TXT: ['v=spf1 ip4:127.0.0.1 ip6:::1 -all'], MX: [{ exchange: `mx.${DEMO_GOOD_DOMAIN}`, priority: 10 }] },
    [`mx.${DEMO_GOOD_DOMAIN}`]: { A: ['127.0.0.1'] },
    [`_dmarc.${DEMO_GOOD_DOMAIN}`]: { TXT: [`v=DMARC1; p=quarantine; rua=mailto:dmarc@${DEMO_GOOD_DOMAIN}`] },
    [`${DEMO_DKIM_SELECTOR}._domainkey.${DEMO_GOOD_DOMAIN}`]: { TXT: [`v=DKIM1; k=rsa; p=${dkimPublicKey}`] },
    [DEMO_BAD_DOMAIN]: { TXT: ['v=spf1 ip4:198.51.100.25 -all'] },
    [`_dmarc.${DEMO_BAD_DOMAIN}`]: { TXT: ['v=DMARC1; p=reject'] },
  };
}

export async function startDemoDns(port: number, dkimPublicKey: string): Promise<RunningZoneServer> {
  return startZoneServer(demoZone(dkimPublicKey), { host: '127.0.0.1', port, forward: true });
}
