// A validation (runProbe, kind validate) against a local STARTTLS+AUTH server, next to a bare nodemailer
// verify() of the same server with the same trust, alternating so both see the same machine state.
// The probe does two more round trips (MAIL FROM, RCPT TO) and records every step; the ratio shows
// that its own work stays small next to the conversation.
import { SMTPServer } from 'smtp-server';
import { SMTPConnection } from 'smtp-server/lib/smtp-connection.js';
import nodemailer from 'nodemailer';
import { runProbe } from '@/server/smtp/probe';
import { generateSandboxCertificates } from '@/server/sandbox/sandbox-ca';
import { median, row, type Bench } from './bench-types';

const RUNS = Number(process.env.PROBE_BENCH_RUNS ?? 30);
const WARMUP = 3;
export const USER = { username: 'bench-user', password: 'bench-Pa55word' };

export async function startServer(tls: { key: string; cert: string }): Promise<{ port: number; close: () => Promise<void> }> {
  const server = new SMTPServer({
    key: tls.key,
    cert: tls.cert,
    logger: false,
    disableReverseLookup: true,
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false,
    size: 10 * 1024 * 1024,
    closeTimeout: 200,
    onAuth(auth, _session, callback) {
      if (auth.username === USER.username && auth.password === USER.password) return callback(null, { user: auth.username });
      callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { port: address.port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

/**
 * smtp-server pauses 100 ms before its greeting to catch clients that talk too early. The pause is the
 * same for both sides and would hide the probe's own cost in the ratio, so while the bench runs the
 * server greets at once.
 */
export function withoutGreetingPause(): () => void {
  const original = SMTPConnection.prototype.init;
  SMTPConnection.prototype.init = function init(this: SMTPConnection) {
    this._setListeners(() => this.connectionReady());
  };
  return () => {
    SMTPConnection.prototype.init = original;
  };
}

async function timed(work: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await work();
  return performance.now() - start;
}

export const probeBench: Bench = {
  name: 'probe validate vs nodemailer verify',
  async run() {
    const certs = await generateSandboxCertificates();
    const restore = withoutGreetingPause();
    const server = await startServer(certs);
    try {
      const validate = async () => {
        const result = await runProbe(
          {
            host: 'localhost',
            port: server.port,
            encryption: 'starttls',
            authMethod: 'plain',
            ...USER,
            heloDomain: 'bench.relaydesk.local',
            noReplyAddress: 'noreply@bench.example',
            noReplyName: '',
            testRecipient: 'ops@bench.example',
          },
          {
            kind: 'validate',
            allowedHosts: ['127.0.0.1'],
            allowedPorts: [server.port],
            lookup: async () => [{ address: '127.0.0.1', family: 4 }],
            trustedCa: [certs.ca],
          },
        );
        if (!result.ok) throw new Error(`the probe failed: ${JSON.stringify(result.steps.at(-1))}`);
      };
      const verify = async () => {
        const transport = nodemailer.createTransport({
          host: '127.0.0.1',
          port: server.port,
          secure: false,
          requireTLS: true,
          name: 'bench.relaydesk.local',
          auth: { user: USER.username, pass: USER.password },
          authMethod: 'PLAIN',
          tls: { ca: [certs.ca], servername: 'localhost' },
        });
        try {
          await transport.verify();
        } finally {
          transport.close();
        }
      };

      for (let i = 0; i < WARMUP; i++) {
        await validate();
        await verify();
      }
      const probeMs: number[] = [];
      const verifyMs: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        // Alternate which goes first, so neither always runs on a warmer machine.
        if (i % 2 === 0) {
          probeMs.push(await timed(validate));
          verifyMs.push(await timed(verify));
        } else {
          verifyMs.push(await timed(verify));
          probeMs.push(await timed(validate));
        }
      }
      return [row(`validation (STARTTLS + AUTH PLAIN, median of ${RUNS}) vs nodemailer verify()`, 'ms', median(probeMs), median(verifyMs), { ratioAtMost: 1.5 })];
    } finally {
      await server.close();
      restore();
    }
  },
};
