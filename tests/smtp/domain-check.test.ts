import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import nodemailer from 'nodemailer';
import { checkSendingDomain } from '@/server/smtp/domain-check';
import type { DomainFinding } from '@/server/smtp/domain-types';
import { spfIncludeChain, startTestDns, type TestDns } from '../helpers/dns-zone';

// The domain step against a real DNS server on loopback (dns-packet over UDP) that RELAYDESK_DNS_SERVERS points at.

let dns: TestDns;
const M365 = 'smtp.office365.com';
const SELF = 'mail.selfhosted.test';

before(async () => {
  dns = await startTestDns({
    'spf.protection.outlook.com': { TXT: ['v=spf1 ip4:40.92.0.0/15 -all'] },
    '_spf.google.com': { TXT: ['v=spf1 ip4:35.190.247.0/24 ~all'] },
    ...spfIncludeChain('chain.test', 12),
  });
});
after(() => dns.close());

function byCheck(findings: DomainFinding[]) {
  return Object.fromEntries(findings.map((f) => [f.check, f])) as Record<DomainFinding['check'], DomainFinding>;
}

async function check(domain: string, host = M365, extra: Partial<Parameters<typeof checkSendingDomain>[0]> = {}) {
  return byCheck(await checkSendingDomain({ noReplyAddress: `noreply@${domain}`, host, serverAddresses: ['127.0.0.1'], ...extra }));
}

describe('SPF', () => {
  it('passes when the record includes the provider', async () => {
    dns.set('good.test', { TXT: ['v=spf1 include:spf.protection.outlook.com -all'] });
    const { spf } = await check('good.test');
    assert.equal(spf.result, 'pass');
    assert.equal(spf.code, 'SPF_AUTHORIZED');
    assert.equal(spf.record, null);
  });

  it('warns with the corrected record when the provider is not authorized', async () => {
    dns.set('other.test', { TXT: ['v=spf1 include:_spf.google.com ~all'] });
    const { spf } = await check('other.test');
    assert.equal(spf.result, 'warn');
    assert.equal(spf.code, 'SPF_NOT_AUTHORIZED');
    assert.equal(spf.record, 'other.test. TXT "v=spf1 include:_spf.google.com include:spf.protection.outlook.com ~all"');
  });

  it('warns when the record needs more than 10 lookups', async () => {
    dns.set('many.test', { TXT: ['v=spf1 include:spf0.chain.test include:spf.protection.outlook.com -all'] });
    const { spf } = await check('many.test');
    assert.equal(spf.code, 'SPF_TOO_MANY_LOOKUPS');
    assert.equal(spf.result, 'warn');
  });

  it('warns and gives the record to add when there is none', async () => {
    dns.set('bare.test', { A: ['192.0.2.10'] });
    const { spf } = await check('bare.test');
    assert.equal(spf.code, 'SPF_MISSING');
    assert.equal(spf.record, 'bare.test. TXT "v=spf1 include:spf.protection.outlook.com -all"');
  });

  it('authorizes a self-hosted server by its addresses', async () => {
    dns.set('self.test', { TXT: ['v=spf1 ip4:127.0.0.1 -all'] });
    assert.equal((await check('self.test', SELF)).spf.code, 'SPF_AUTHORIZED');
    dns.set('self.test', { TXT: ['v=spf1 ip4:198.51.100.1 -all'] });
    const { spf } = await check('self.test', SELF);
    assert.equal(spf.code, 'SPF_NOT_AUTHORIZED');
    assert.equal(spf.record, 'self.test. TXT "v=spf1 ip4:198.51.100.1 ip4:127.0.0.1 -all"');
  });
});

describe('DKIM selectors', () => {
  it("passes when the provider's selector is published and warns with the CNAMEs when it is not", async () => {
    dns.set('dk.test', { TXT: ['v=spf1 include:spf.protection.outlook.com -all'] });
    dns.set('selector1._domainkey.dk.test', { CNAME: 'selector1-dk-test._domainkey.contoso.onmicrosoft.test' });
    assert.equal((await check('dk.test')).dkim.code, 'DKIM_PUBLISHED');
    dns.set('selector1._domainkey.dk.test', undefined);
    const { dkim } = await check('dk.test');
    assert.equal(dkim.code, 'DKIM_MISSING');
    assert.match(dkim.record ?? '', /^selector1\._domainkey\.dk\.test\. CNAME selector1-dk-test\._domainkey\.<tenant>\.onmicrosoft\.com\.$/m);
  });

  it('a self-hosted server: the usual selectors are guessed, most common first, until one is published', async () => {
    const key = 'v=DKIM1; k=rsa; p=MIGfMA0GCSqGSIb3DQEBAQUAA4GNADCBiQKBgQC';
    dns.set('guess.test', { TXT: ['v=spf1 ip4:127.0.0.1 -all'] });
    dns.set('mail._domainkey.guess.test', { TXT: [key] });
    const last = (await check('guess.test', SELF)).dkim;
    assert.equal(last.code, 'DKIM_PUBLISHED');
    assert.equal(last.params.selectors, 'mail', 'the third guess, asked once the first was absent');
    dns.set('default._domainkey.guess.test', { TXT: [key] });
    const first = (await check('guess.test', SELF)).dkim;
    assert.equal(first.params.selectors, 'default', 'the first guess answers; the others are not asked');
    dns.set('default._domainkey.guess.test', undefined);
    dns.set('mail._domainkey.guess.test', undefined);
    assert.equal((await check('guess.test', SELF)).dkim.code, 'DKIM_SELECTOR_UNKNOWN');
  });
});

describe('DMARC', () => {
  const spfOk = 'v=spf1 include:spf.protection.outlook.com -all';
  for (const policy of ['none', 'quarantine', 'reject'] as const) {
    it(`p=${policy} passes when SPF can align`, async () => {
      dns.set(`d-${policy}.test`, { TXT: [spfOk] });
      dns.set(`_dmarc.d-${policy}.test`, { TXT: [`v=DMARC1; p=${policy}`] });
      const { dmarc } = await check(`d-${policy}.test`);
      assert.equal(dmarc.code, 'DMARC_ALIGNED');
      assert.equal(dmarc.result, 'pass');
      assert.equal(dmarc.params.policy, policy);
    });
  }

  it('p=quarantine without any alignment warns; p=reject without alignment fails', async () => {
    dns.set('q.test', { TXT: ['v=spf1 -all'] });
    dns.set('_dmarc.q.test', { TXT: ['v=DMARC1; p=quarantine'] });
    assert.deepEqual([(await check('q.test')).dmarc.result, (await check('q.test')).dmarc.code], ['warn', 'DMARC_NO_ALIGNMENT']);
    dns.set('r.test', { TXT: ['v=spf1 -all'] });
    dns.set('_dmarc.r.test', { TXT: ['v=DMARC1; p=reject'] });
    const { dmarc } = await check('r.test');
    assert.equal(dmarc.result, 'fail');
    assert.equal(dmarc.code, 'DMARC_REJECT_NO_ALIGNMENT');
  });

  it('p=reject passes through DKIM alone when the selector is published', async () => {
    dns.set('rd.test', { TXT: ['v=spf1 -all'] });
    dns.set('_dmarc.rd.test', { TXT: ['v=DMARC1; p=reject'] });
    dns.set('selector2._domainkey.rd.test', { CNAME: 'selector2-rd-test._domainkey.contoso.onmicrosoft.test' });
    assert.equal((await check('rd.test')).dmarc.code, 'DMARC_ALIGNED');
  });

  it('uses the organizational domain record for a subdomain and warns when none exists', async () => {
    dns.set('sub.org.test', { TXT: [spfOk] });
    dns.set('_dmarc.org.test', { TXT: ['v=DMARC1; p=reject; sp=reject'] });
    assert.equal((await check('sub.org.test')).dmarc.code, 'DMARC_ALIGNED');
    dns.set('nodmarc.test', { TXT: [spfOk] });
    const { dmarc } = await check('nodmarc.test');
    assert.equal(dmarc.code, 'DMARC_MISSING');
    assert.equal(dmarc.record, '_dmarc.nodmarc.test. TXT "v=DMARC1; p=none; rua=mailto:dmarc-reports@nodmarc.test"');
  });
});

describe('MX', () => {
  it('passes with an MX, warns without one or with a null MX', async () => {
    dns.set('mx.test', { MX: [{ exchange: 'in.mx.test', priority: 10 }] });
    assert.equal((await check('mx.test')).mx.code, 'MX_PRESENT');
    dns.set('nomx.test', { A: ['192.0.2.1'] });
    assert.equal((await check('nomx.test')).mx.code, 'MX_MISSING');
    dns.set('nullmx.test', { MX: [{ exchange: '', priority: 0 }] });
    assert.equal((await check('nullmx.test')).mx.code, 'MX_NULL');
  });
});

describe('the DKIM signature a test email carried', () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const p = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');

  async function signed(from: string, domainName: string): Promise<Buffer> {
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix', dkim: { domainName, keySelector: 'relay', privateKey: pem } });
    const info = await transport.sendMail({ from, to: 'ops@recipient.test', subject: 'Relaydesk test', text: 'hello' });
    return info.message as Buffer;
  }

  it('verifies an aligned signature, and DMARC p=reject then passes through DKIM', async () => {
    dns.set('signed.test', { TXT: ['v=spf1 -all'] });
    dns.set('_dmarc.signed.test', { TXT: ['v=DMARC1; p=reject'] });
    dns.set('relay._domainkey.signed.test', { TXT: [`v=DKIM1; k=rsa; p=${p}`] });
    const { dkim, dmarc } = await check('signed.test', SELF, { deliveredMessage: await signed('noreply@signed.test', 'signed.test') });
    assert.equal(dkim.code, 'DKIM_VERIFIED');
    assert.equal(dkim.params.signer, 'signed.test');
    assert.equal(dmarc.code, 'DMARC_ALIGNED');
  });

  it('warns when the signer is another domain, when the key is gone, and when there is no signature', async () => {
    dns.set('relay._domainkey.provider.test', { TXT: [`v=DKIM1; k=rsa; p=${p}`] });
    const other = await check('signed.test', SELF, { deliveredMessage: await signed('noreply@signed.test', 'provider.test') });
    assert.equal(other.dkim.code, 'DKIM_NOT_ALIGNED');
    assert.equal(other.dmarc.code, 'DMARC_REJECT_NO_ALIGNMENT');
    dns.set('relay._domainkey.signed.test', undefined);
    assert.equal((await check('signed.test', SELF, { deliveredMessage: await signed('noreply@signed.test', 'signed.test') })).dkim.code, 'DKIM_SIGNATURE_FAILED');
    const plain = Buffer.from('From: noreply@signed.test\r\nTo: ops@recipient.test\r\nSubject: x\r\n\r\nhello\r\n');
    assert.equal((await check('signed.test', SELF, { deliveredMessage: plain })).dkim.code, 'DKIM_UNSIGNED');
  });
});
