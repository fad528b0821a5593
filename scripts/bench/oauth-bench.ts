// A validation with OAuth (runProbe: token step through the guard, STARTTLS, AUTH XOAUTH2, MAIL, RCPT)
// against a local server that verifies the demo identity provider's tokens (both in a process of their
// own, scripts/bench/oauth-servers-child.ts, as a customer's are), next to a bare nodemailer
// verify() with the same access token, alternating. The issue's target is "at most 1.5× plus the token
// round trip", so the token round trip is its own row: the probe's token step next to a bare https POST of
// the same form to the same endpoint.
import https from 'node:https';
import nodemailer from 'nodemailer';
import { runProbe } from '@/server/smtp/probe';
import type { SmtpConfig } from '@/server/smtp/types';
import { generateSandboxCertificates } from '@/server/sandbox/sandbox-ca';
import { DEMO_OAUTH_CLIENT_ID, DEMO_OAUTH_SCOPE } from '@/server/sandbox/demo-idp';
import { median, row, type Bench } from './bench-types';
import { startChild } from './child-server';

const RUNS = Number(process.env.PROBE_BENCH_RUNS ?? 30);
const WARMUP = 3;
const SECRET = 'bench-client-Secret-value';
const MAILBOX = 'bench@bench.example';

/** The same token request without the guard, the redaction or the diagnosis: one https POST. */
function barePost(port: number, ca: string): Promise<string> {
  const body = new URLSearchParams({ grant_type: 'client_credentials', scope: DEMO_OAUTH_SCOPE }).toString();
  const basic = Buffer.from(`${DEMO_OAUTH_CLIENT_ID}:${SECRET}`).toString('base64');
  return new Promise((resolve, reject) => {
    const request = https.request(
      {
        host: '127.0.0.1',
        servername: 'localhost',
        port,
        path: '/token',
        method: 'POST',
        agent: false,
        ca,
        headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (c: Buffer) => chunks.push(c));
        response.on('end', () => resolve((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { access_token: string }).access_token));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

export const oauthBench: Bench = {
  name: 'probe validate with OAuth vs nodemailer verify with the token',
  async run() {
    const certs = await generateSandboxCertificates();
    // The identity provider and the mail server in a process of their own, as they are for our users.
    const child = await startChild('oauth-servers-child.ts', [], {
      ...process.env,
      BENCH_SMTP_TLS: JSON.stringify({ key: certs.key, cert: certs.cert }),
      BENCH_OAUTH_SECRET: SECRET,
    });
    const ports = JSON.parse(child.line) as { smtpPort: number; idpPort: number; idpOrigin: string };
    const server = { port: ports.smtpPort };
    const idp = { port: ports.idpPort, origin: ports.idpOrigin };
    const config: SmtpConfig = {
      host: 'localhost',
      port: server.port,
      encryption: 'starttls',
      authMethod: 'oauth2',
      username: MAILBOX,
      password: '',
      heloDomain: 'bench.relaydesk.local',
      noReplyAddress: 'noreply@bench.example',
      noReplyName: '',
      testRecipient: 'ops@bench.example',
      oauth: {
        provider: 'generic',
        cloud: null,
        tenantId: null,
        clientId: DEMO_OAUTH_CLIENT_ID,
        clientSecret: SECRET,
        certificate: null,
        privateKey: null,
        serviceAccountKey: null,
        tokenUrl: `${idp.origin}/token`,
        scope: DEMO_OAUTH_SCOPE,
        mailbox: MAILBOX,
      },
    };
    try {
      let tokenStepMs = 0;
      const validate = async () => {
        const result = await runProbe(config, {
          kind: 'validate',
          allowedHosts: ['127.0.0.1'],
          allowedPorts: [server.port, idp.port],
          lookup: async () => [{ address: '127.0.0.1', family: 4 }],
          trustedCa: [certs.ca],
        });
        if (!result.ok) throw new Error(`the probe failed: ${JSON.stringify(result.steps.at(-1))}`);
        tokenStepMs = result.steps[0]!.ms;
      };
      const accessToken = await barePost(idp.port, certs.ca);
      const verify = async () => {
        const transport = nodemailer.createTransport({
          host: '127.0.0.1',
          port: server.port,
          secure: false,
          requireTLS: true,
          name: 'bench.relaydesk.local',
          auth: { type: 'OAuth2', user: MAILBOX, accessToken },
          tls: { ca: [certs.ca], servername: 'localhost' },
        });
        try {
          await transport.verify();
        } finally {
          transport.close();
        }
      };
      const timed = async (work: () => Promise<unknown>) => {
        const start = performance.now();
        await work();
        return performance.now() - start;
      };

      for (let i = 0; i < WARMUP; i++) {
        await validate();
        await verify();
        await barePost(idp.port, certs.ca);
      }
      const probeMs: number[] = [];
      const tokenMs: number[] = [];
      const verifyMs: number[] = [];
      const postMs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const pair = [
          async () => {
            probeMs.push(await timed(validate));
            tokenMs.push(tokenStepMs);
          },
          async () => verifyMs.push(await timed(verify)),
          async () => postMs.push(await timed(() => barePost(idp.port, certs.ca))),
        ];
        // Rotate which goes first, so none always runs on a warmer machine.
        for (let k = 0; k < pair.length; k++) await pair[(i + k) % pair.length]!();
      }
      const verifyMedian = median(verifyMs);
      const tokenMedian = median(tokenMs);
      return [
        row(`validation with OAuth (token + STARTTLS + XOAUTH2, median of ${RUNS}) vs nodemailer verify() with the token`, 'ms', median(probeMs), verifyMedian, {
          valueUnder: Math.round((1.5 * verifyMedian + tokenMedian) * 100) / 100,
        }),
        row(`token round trip: the probe's token step (guard, TLS, redacted record) vs a bare https POST`, 'ms', tokenMedian, median(postMs)),
      ];
    } finally {
      await child.close();
    }
  },
};
