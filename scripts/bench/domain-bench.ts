// The time the domain step (SPF, DKIM, DMARC, MX of the no-reply domain) adds to a validation: the same
// validation against the same local STARTTLS+AUTH server, with and without the step, the DNS answered
// by the demo zone on loopback (server/dns/zone-server.ts). Both servers run in processes of their own, as
// a customer's SMTP server and DNS do (in this process their answering would be timed as the validation's
// own work, and the lookups could not overlap the conversation as they do for our users). The resolver's cache is cleared
// before every run, so each one pays every lookup, as the first validation of a request does; a second
// row keeps the answers, as the test-send after a validation finds them. Target: at most 20 % more.
import { runProbe } from '@/server/smtp/probe';
import { generateSandboxCertificates } from '@/server/sandbox/sandbox-ca';
import { DEMO_GOOD_DOMAIN, demoDkimKey } from '@/server/dns/demo-zone';
import { clearDnsCache } from '@/server/dns/resolver';
import { median, row, type Bench } from './bench-types';
import { startChild } from './child-server';
import { USER } from './probe-bench';

// The step adds a millisecond or two to a validation of six to ten: a median of 30 samples was a coarse
// estimate of that (1.27× and 1.17× back to back); 100 steady it, and what still moves between runs is
// mostly the machine's own speed (decision 031). The warm-up lets the JIT compile the domain code as a long-running
// server has (3 rounds left it interpreted for the first timed ones).
const RUNS = Number(process.env.PROBE_BENCH_RUNS ?? 100);
const WARMUP = 20;

export const domainBench: Bench = {
  name: 'domain step added to a validation',
  async run() {
    const certs = await generateSandboxCertificates();
    // The SMTP server and the DNS zone each in a process of their own, as they are for our users.
    const smtp = await startChild('smtp-server-child.ts', [], { ...process.env, BENCH_SMTP_TLS: JSON.stringify({ key: certs.key, cert: certs.cert }) });
    const server = { port: Number(smtp.line), close: smtp.close };
    const dnsChild = await startChild('demo-dns-child.ts', [demoDkimKey().publicKey]);
    const dns = { address: dnsChild.line, close: dnsChild.close };
    const previous = process.env.RELAYDESK_DNS_SERVERS;
    process.env.RELAYDESK_DNS_SERVERS = dns.address;
    try {
      const validate = async (withDomain: boolean, cold = true) => {
        if (cold) clearDnsCache();
        const start = performance.now();
        const result = await runProbe(
          {
            host: 'localhost',
            port: server.port,
            encryption: 'starttls',
            authMethod: 'plain',
            ...USER,
            heloDomain: 'bench.relaydesk.local',
            noReplyAddress: `noreply@${DEMO_GOOD_DOMAIN}`,
            noReplyName: '',
            testRecipient: `ops@${DEMO_GOOD_DOMAIN}`,
          },
          {
            kind: 'validate',
            allowedHosts: ['127.0.0.1'],
            allowedPorts: [server.port],
            lookup: async () => [{ address: '127.0.0.1', family: 4 }],
            trustedCa: [certs.ca],
            ...(withDomain ? { domainCheck: {} } : {}),
          },
        );
        const ms = performance.now() - start;
        const domain = result.steps.find((s) => s.step === 'domain');
        if (!result.ok || (withDomain && !domain?.findings?.length)) throw new Error(`the probe failed: ${JSON.stringify(result.steps.at(-1))}`);
        return ms;
      };
      for (let i = 0; i < WARMUP; i++) {
        await validate(true);
        await validate(false);
      }
      const withMs: number[] = [];
      const withoutMs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        if (i % 2 === 0) {
          withMs.push(await validate(true));
          withoutMs.push(await validate(false));
        } else {
          withoutMs.push(await validate(false));
          withMs.push(await validate(true));
        }
      }
      // A second validation or the test-send after a validation finds the answers kept (30 s).
      const warmWithMs: number[] = [];
      const warmWithoutMs: number[] = [];
      await validate(true);
      for (let i = 0; i < RUNS; i++) {
        warmWithMs.push(await validate(true, false));
        warmWithoutMs.push(await validate(false, false));
      }
      return [
        row(`validation with the domain step vs without (cold DNS cache, loopback zone, median of ${RUNS})`, 'ms', median(withMs), median(withoutMs), { ratioAtMost: 1.2 }),
        row(`the same with the answers kept from a validation just before (median of ${RUNS})`, 'ms', median(warmWithMs), median(warmWithoutMs), { ratioAtMost: 1.2 }),
      ];
    } finally {
      if (previous === undefined) delete process.env.RELAYDESK_DNS_SERVERS;
      else process.env.RELAYDESK_DNS_SERVERS = previous;
      await Promise.all([server.close(), dns.close()]);
    }
  },
};
