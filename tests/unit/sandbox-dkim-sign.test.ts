// The sandbox signs what it accepts for the demo domain, as a provider signs what it relays. mailauth
// writes the signing time (t=) into two copies of the DKIM-Signature header, the one it signs and the one
// it returns; unless the time is given, it reads the clock for each, so a signature made across a
// half-second did not verify. The clock here moves a second at every reading: it always crosses one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dkimVerify } from 'mailauth/lib/dkim/verify';
import { signAsRelay } from '@/server/sandbox/sandbox-server';
import { DEMO_DKIM_SELECTOR, DEMO_GOOD_DOMAIN, demoDkimKey } from '@/server/dns/demo-zone';

const MESSAGE = [
  `From: Demo <noreply@${DEMO_GOOD_DOMAIN}>`,
  `To: noreply@${DEMO_GOOD_DOMAIN}`,
  'Subject: Relaydesk test email',
  `Message-ID: <sign-test@${DEMO_GOOD_DOMAIN}>`,
  'Date: Thu, 03 Dec 2026 14:44:51 +0000',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'This is a test email from Relaydesk.',
  '',
].join('\r\n');

test('a signature made while the clock moves on still verifies', async () => {
  const key = demoDkimKey();
  const realNow = Date.now;
  let clock = Date.UTC(2026, 11, 3, 14, 44, 53, 400);
  Date.now = () => (clock += 1_000);
  let signed: string;
  try {
    signed = await signAsRelay(MESSAGE, { domains: [DEMO_GOOD_DOMAIN], selector: DEMO_DKIM_SELECTOR, privateKey: key.privateKey });
  } finally {
    Date.now = realNow;
  }
  assert.match(signed, /^DKIM-Signature: /);
  const resolver = async (name: string) => {
    assert.equal(name, `${DEMO_DKIM_SELECTOR}._domainkey.${DEMO_GOOD_DOMAIN}`);
    return [[`v=DKIM1; k=rsa; p=${key.publicKey}`]];
  };
  const verified = await dkimVerify(Buffer.from(signed), { resolver: resolver as never });
  assert.deepEqual(
    verified.results.map((r) => [r.signingDomain, r.status.result, r.status.comment ?? '']),
    [[DEMO_GOOD_DOMAIN, 'pass', '']],
  );
});

test('mail from another domain passes through unsigned', async () => {
  const key = demoDkimKey();
  const other = MESSAGE.replaceAll(DEMO_GOOD_DOMAIN, 'elsewhere.example');
  assert.equal(await signAsRelay(other, { domains: [DEMO_GOOD_DOMAIN], selector: DEMO_DKIM_SELECTOR, privateKey: key.privateKey }), other);
});
