import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { runProbe, type ProbeOptions } from '../../server/smtp/probe';
import type { SmtpConfig } from '../../server/smtp/types';
import { testCerts } from '../helpers/smtp-certs';
import { configFor, lookupToLoopback, stepNames } from '../helpers/smtp-fixtures';
import { startSmtpServer, type TestSmtpServer } from '../helpers/smtp-test-server';
import { startTestDns, type TestDns } from '../helpers/dns-zone';

// The domain step inside a real probe: after the SMTP steps, never changing the SMTP verdict.

describe('the domain step of a probe', () => {
  let server: TestSmtpServer;
  let dns: TestDns;
  before(async () => {
    server = await startSmtpServer();
    dns = await startTestDns({
      'green.test': { TXT: ['v=spf1 ip4:127.0.0.1 -all'], MX: [{ exchange: 'mx.green.test', priority: 10 }] },
      '_dmarc.green.test': { TXT: ['v=DMARC1; p=reject'] },
      'red.test': { TXT: ['v=spf1 ip4:198.51.100.1 -all'] },
      '_dmarc.red.test': { TXT: ['v=DMARC1; p=reject'] },
    });
  });
  after(async () => {
    await server.close();
    await dns.close();
  });

  async function run(config: SmtpConfig, overrides: Partial<ProbeOptions> = {}) {
    const { ca } = await testCerts();
    return runProbe(config, {
      kind: 'validate',
      allowedHosts: ['127.0.0.1'],
      allowedPorts: [config.port],
      lookup: lookupToLoopback,
      trustedCa: [ca],
      timeoutMs: 5000,
      domainCheck: {},
      ...overrides,
    });
  }

  test('comes last with the four findings; SPF authorizes the self-hosted server by the address reached', async () => {
    const result = await run(configFor(server.port, { noReplyAddress: 'noreply@green.test' }));
    assert.equal(result.ok, true);
    assert.deepEqual(stepNames(result).slice(-3), ['relay', 'quit', 'domain']);
    const step = result.steps.at(-1)!;
    assert.equal(step.ok, true);
    assert.deepEqual(
      step.findings?.map((f) => [f.check, f.result, f.code]),
      [
        ['spf', 'pass', 'SPF_AUTHORIZED'],
        ['dkim', 'warn', 'DKIM_SELECTOR_UNKNOWN'],
        ['dmarc', 'pass', 'DMARC_ALIGNED'],
        ['mx', 'pass', 'MX_PRESENT'],
      ],
    );
    assert.match(step.detail, /^Sending domain green\.test: 3 pass, 1 warn, 0 fail$/);
    assert.ok(result.transcript.some((l) => l.text.startsWith('DMARC pass: DMARC p=reject; SPF can align')));
  });

  test('a DMARC fail marks the step, not the SMTP verdict', async () => {
    const result = await run(configFor(server.port, { noReplyAddress: 'noreply@red.test' }));
    assert.equal(result.ok, true, 'ok stays about SMTP');
    const step = result.steps.at(-1)!;
    assert.equal(step.step, 'domain');
    assert.equal(step.ok, false);
    assert.equal(step.findings?.find((f) => f.check === 'dmarc')?.code, 'DMARC_REJECT_NO_ALIGNMENT');
  });

  test('after a test-send, the delivered message is read to verify its DKIM signature', async () => {
    const asked: string[] = [];
    const result = await run(configFor(server.port, { noReplyAddress: 'noreply@green.test' }), {
      kind: 'test-send',
      domainCheck: {
        deliveredMessage: async (messageId) => {
          asked.push(messageId);
          return server.received.at(-1)?.raw ?? null;
        },
      },
    });
    assert.equal(result.ok, true);
    assert.deepEqual(asked, [result.messageId]);
    assert.equal(result.steps.at(-1)?.findings?.find((f) => f.check === 'dkim')?.code, 'DKIM_UNSIGNED');
  });

  test('no domain step when it is not asked for, nor after an SMTP failure', async () => {
    const plain = await run(configFor(server.port, { noReplyAddress: 'noreply@green.test' }), { domainCheck: undefined });
    assert.equal(plain.steps.at(-1)?.step, 'quit');
    const failed = await run(configFor(server.port, { noReplyAddress: 'noreply@green.test', password: 'wrong' }));
    assert.equal(failed.ok, false);
    assert.ok(!stepNames(failed).includes('domain'));
  });
});
