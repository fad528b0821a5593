import '../helpers/test-env';
// The demo: the sandbox domain has every record in the demo DNS zone, so a test email through the
// sandbox gets a green domain report (its DKIM signature verified); globex.example shows the failures.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runProbe } from '@/server/smtp/probe';
import type { SmtpConfig } from '@/server/smtp/types';
import { ensureSandboxCertificates } from '@/server/sandbox/sandbox-ca';
import { startSandbox } from '@/server/sandbox/sandbox-server';
import { sandboxDeliveredMessage } from '@/server/sandbox/delivered-message';
import { DEMO_DKIM_SELECTOR, DEMO_GOOD_DOMAIN, demoDkimKey, startDemoDns } from '@/server/dns/demo-zone';
import { clearDnsCache } from '@/server/dns/resolver';
import { db } from '../helpers/factories';

const USERNAME = 'relaydesk-demo';
const PASSWORD = 'sandbox-Pa55-for-tests';
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'relaydesk-demo-dns-'));
const certs = await ensureSandboxCertificates(dataDir);
const key = demoDkimKey();
const demoDns = await startDemoDns(0, key.publicKey);
const previousDns = process.env.RELAYDESK_DNS_SERVERS;
process.env.RELAYDESK_DNS_SERVERS = demoDns.address;
clearDnsCache();
const sandbox = await startSandbox({
  host: ['127.0.0.1'],
  port: 0,
  tls: certs,
  username: USERNAME,
  password: PASSWORD,
  closeTimeoutMs: 200,
  dkim: { domains: [DEMO_GOOD_DOMAIN], selector: DEMO_DKIM_SELECTOR, privateKey: key.privateKey },
});

after(async () => {
  process.env.RELAYDESK_DNS_SERVERS = previousDns;
  await Promise.all([sandbox.close(), demoDns.close()]);
  rmSync(dataDir, { recursive: true, force: true });
  await db.$disconnect();
});

function testSend(noReplyAddress: string) {
  const config: SmtpConfig = {
    host: 'localhost',
    port: sandbox.port,
    encryption: 'starttls',
    authMethod: 'plain',
    username: USERNAME,
    password: PASSWORD,
    heloDomain: 'relaydesk.local',
    noReplyAddress,
    noReplyName: 'Demo',
    testRecipient: 'ops@acme.example',
  };
  return runProbe(config, {
    kind: 'test-send',
    allowedHosts: ['127.0.0.1'],
    allowedPorts: [sandbox.port],
    lookup: async () => [{ address: '127.0.0.1', family: 4 }],
    trustedCa: [certs.ca],
    timeoutMs: 8000,
    domainCheck: { deliveredMessage: (id) => sandboxDeliveredMessage(id) },
  });
}

test('the sandbox domain passes every check, with the DKIM signature of the test email verified', async () => {
  const result = await testSend(`noreply@${DEMO_GOOD_DOMAIN}`);
  assert.equal(result.ok, true, JSON.stringify(result.steps, null, 1));
  const domain = result.steps.at(-1)!;
  assert.equal(domain.step, 'domain');
  assert.deepEqual(
    domain.findings?.map((f) => `${f.check}:${f.result}:${f.code}`),
    ['spf:pass:SPF_AUTHORIZED', 'dkim:pass:DKIM_VERIFIED', 'dmarc:pass:DMARC_ALIGNED', 'mx:pass:MX_PRESENT'],
    JSON.stringify(domain.findings?.map((f) => f.detail)),
  );
});

test('globex.example shows the failures: SPF, DKIM, DMARC reject, MX', async () => {
  const result = await testSend('noreply@globex.example');
  assert.equal(result.ok, true);
  const domain = result.steps.at(-1)!;
  assert.equal(domain.ok, false);
  assert.deepEqual(
    domain.findings?.map((f) => `${f.check}:${f.result}`),
    ['spf:warn', 'dkim:warn', 'dmarc:fail', 'mx:warn'],
  );
});
