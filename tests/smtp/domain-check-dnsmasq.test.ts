import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import nodemailer from 'nodemailer';
import { checkSendingDomain } from '@/server/smtp/domain-check';
import type { Zone } from '@/server/dns/zone-server';
import type { DomainFinding } from '@/server/smtp/domain-types';
import { pointDnsAt, spfIncludeChain } from '../helpers/dns-zone';
import { dnsmasqAvailable, startDnsmasq, type RunningDnsmasq } from '../helpers/dnsmasq';

// The domain step against a DNS server we did not write: dnsmasq answering from its configuration, as a
// customer's resolver does. What our own zone server (domain-check.test.ts) might answer more kindly is
// here as a real server answers it: a 2048-bit key split into 255-byte strings, a selector CNAME to a
// target nobody publishes yet, NXDOMAIN beside NODATA, a null MX, and REFUSED for a name it will not serve.

const unavailable = dnsmasqAvailable();
const M365 = 'smtp.office365.com';
const SELF = 'mail.selfhosted.test';

const key2048 = generateKeyPairSync('rsa', { modulusLength: 2048 });
const publicKey = key2048.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const privateKey = key2048.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

const zone: Zone = {
  'spf.protection.outlook.com': { TXT: ['v=spf1 ip4:40.92.0.0/15 -all'] },
  ...spfIncludeChain('chain.test', 12),
  // A self-hosted sender that did everything right, with a key longer than one TXT string.
  'good.test': { TXT: ['v=spf1 ip4:127.0.0.1 -all'], MX: [{ exchange: 'in.good.test', priority: 10 }] },
  'in.good.test': { A: ['127.0.0.1'] },
  '_dmarc.good.test': { TXT: ['v=DMARC1; p=reject; rua=mailto:dmarc@good.test'] },
  'default._domainkey.good.test': { TXT: [`v=DKIM1; k=rsa; p=${publicKey}`] },
  // Microsoft 365, the customer half-way through: SPF and the selector CNAMEs are in, the keys not yet.
  'm365.test': { TXT: ['v=spf1 include:spf.protection.outlook.com -all'], MX: [{ exchange: 'in.good.test', priority: 0 }] },
  'selector1._domainkey.m365.test': { CNAME: 'selector1-m365-test._domainkey.contoso.onmicrosoft.test' },
  '_dmarc.m365.test': { TXT: ['v=DMARC1; p=quarantine'] },
  // The usual mistakes: SPF without the server, DMARC p=reject, no DKIM, a null MX (it receives nothing).
  'bad.test': { TXT: ['v=spf1 ip4:198.51.100.25 -all'], MX: [{ exchange: '', priority: 0 }] },
  '_dmarc.bad.test': { TXT: ['v=DMARC1; p=reject'] },
  // SPF beyond 10 lookups; the name has an address but no MX and no DMARC (NODATA, not NXDOMAIN).
  'many.test': { TXT: ['v=spf1 include:spf0.chain.test -all'], A: ['192.0.2.10'] },
  // A subdomain under its organization's DMARC record.
  'alerts.org.test': { TXT: ['v=spf1 include:spf.protection.outlook.com -all'] },
  '_dmarc.org.test': { TXT: ['v=DMARC1; p=reject; sp=reject'] },
};

let dns: RunningDnsmasq;
let pointBack: () => void;

before(async () => {
  if (unavailable) return;
  dns = await startDnsmasq(zone);
  pointBack = pointDnsAt(dns.address);
});
after(async () => {
  if (unavailable) return;
  pointBack();
  await dns.close();
});

async function codes(domain: string, host: string, deliveredMessage?: Buffer): Promise<Record<DomainFinding['check'], string>> {
  const findings = await checkSendingDomain({ noReplyAddress: `noreply@${domain}`, host, serverAddresses: ['127.0.0.1'], deliveredMessage });
  return Object.fromEntries(findings.map((f) => [f.check, `${f.result} ${f.code}`])) as Record<DomainFinding['check'], string>;
}

describe('the domain step against dnsmasq', { skip: unavailable ?? false }, () => {
  it('a self-hosted domain that did everything right is all green, its 2048-bit key read whole', async () => {
    assert.deepEqual(await codes('good.test', SELF), {
      spf: 'pass SPF_AUTHORIZED',
      dkim: 'pass DKIM_PUBLISHED',
      dmarc: 'pass DMARC_ALIGNED',
      mx: 'pass MX_PRESENT',
    });
    // The key as a receiver reads it: the test email signed with it verifies and aligns.
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, dkim: { domainName: 'good.test', keySelector: 'default', privateKey } });
    const { message } = await transport.sendMail({ from: 'noreply@good.test', to: 'ops@recipient.test', subject: 'Relaydesk test', text: 'hello' });
    assert.equal((await codes('good.test', SELF, message as Buffer)).dkim, 'pass DKIM_VERIFIED');
  });

  it('a selector CNAME whose target is not published yet counts as published, as Microsoft 365 sets it up', async () => {
    assert.deepEqual(await codes('m365.test', M365), {
      spf: 'pass SPF_AUTHORIZED',
      dkim: 'pass DKIM_PUBLISHED',
      dmarc: 'pass DMARC_ALIGNED',
      mx: 'pass MX_PRESENT',
    });
  });

  it('the usual mistakes: SPF without the server, no DKIM, DMARC p=reject with nothing aligned, a null MX', async () => {
    assert.deepEqual(await codes('bad.test', SELF), {
      spf: 'warn SPF_NOT_AUTHORIZED',
      dkim: 'warn DKIM_SELECTOR_UNKNOWN',
      dmarc: 'fail DMARC_REJECT_NO_ALIGNMENT',
      mx: 'warn MX_NULL',
    });
  });

  it('too many SPF lookups; a name with an address but no MX or DMARC (NODATA) is missing, not unavailable', async () => {
    assert.deepEqual(await codes('many.test', M365), {
      spf: 'warn SPF_TOO_MANY_LOOKUPS',
      dkim: 'warn DKIM_MISSING',
      dmarc: 'warn DMARC_MISSING',
      mx: 'warn MX_MISSING',
    });
  });

  it("a subdomain is judged by its organization's DMARC record", async () => {
    assert.equal((await codes('alerts.org.test', M365)).dmarc, 'pass DMARC_ALIGNED');
  });

  it('a domain the server refuses to answer for is "DNS unavailable", never "record missing"', async () => {
    const findings = await codes('elsewhere.example', M365);
    for (const check of ['spf', 'dkim', 'dmarc', 'mx'] as const) assert.equal(findings[check], 'warn DNS_UNAVAILABLE', check);
  });
});
