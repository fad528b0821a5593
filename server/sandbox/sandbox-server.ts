import 'server-only';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { logError } from '../log';
import { DEFAULT_SANDBOX_PORT, type SandboxMode } from '@/lib/sandbox-modes';
import { getSandboxMode } from './sandbox-inbox';
import { dkimSign } from 'mailauth/lib/dkim/sign';
import { storeSandboxMessage } from './store-sandbox-message';

// The demo SMTP sandbox: a real SMTP server on loopback that behaves like a careful provider
// (STARTTLS before AUTH, PLAIN/LOGIN, a size limit) and keeps what it receives for the inbox page.
// Its mode is read from the database at each step, so the console switches it without a restart.

export type SandboxOptions = {
  /** One address or several (127.0.0.1 and ::1, since `localhost` may resolve to either). */
  host?: string | string[];
  /** 0 picks a free port (tests); with several hosts they all share the first one's port. */
  port?: number;
  tls: { key: string; cert: string };
  username: string;
  password: string;
  /** How long close() lets open conversations (a hung one, say) finish before cutting them. */
  closeTimeoutMs?: number;
  /** AUTH XOAUTH2 too, with tokens of the demo identity provider (server/sandbox/demo-idp.ts). */
  verifyToken?: (user: string, token: string) => Promise<boolean>;
  /** DKIM-sign what it accepts for these domains, as a provider signs what it relays (the demo zone publishes the key). */
  dkim?: { domains: string[]; selector: string; privateKey: string };
};

/** The message as a signing relay passes it on: DKIM-Signature prepended when the From domain is one we sign for. */
export async function signAsRelay(raw: string, dkim: SandboxOptions['dkim']): Promise<string> {
  const from = /^From:.*?@([A-Za-z0-9.-]+)/im.exec(raw.slice(0, raw.search(/\r?\n\r?\n/) >>> 0))?.[1]?.toLowerCase();
  if (!dkim || !from || !dkim.domains.includes(from)) return raw;
  // mailauth 4.13 reads the keys from signatureData (its typings name only the top-level fields). The
  // signing time is fixed here: without it mailauth reads the clock for t= once for the header it signs
  // and again for the header it writes, so a signature made across a half-second (a busy machine) did
  // not verify ("bad signature"; 2 in 48 test runs on a loaded machine, and once in CI).
  const options = { signTime: new Date(), signatureData: [{ signingDomain: from, selector: dkim.selector, privateKey: dkim.privateKey }] };
  const { signatures } = await dkimSign(raw, options as unknown as Parameters<typeof dkimSign>[1]);
  return signatures + raw;
}

export type RunningSandbox = { port: number; hosts: string[]; close: () => Promise<void> };

export const SANDBOX_MAX_BYTES = 10 * 1024 * 1024;

function reply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

async function currentMode(): Promise<SandboxMode> {
  try {
    return await getSandboxMode();
  } catch (error) {
    logError('sandbox: could not read the mode, behaving normally', error);
    return 'normal';
  }
}

function serverOptions(options: SandboxOptions): SMTPServerOptions {
  return {
    secure: false,
    key: options.tls.key,
    cert: options.tls.cert,
    name: 'sandbox.relaydesk.local',
    banner: 'Relaydesk demo sandbox',
    logger: false,
    disableReverseLookup: true,
    authMethods: options.verifyToken ? ['PLAIN', 'LOGIN', 'XOAUTH2'] : ['PLAIN', 'LOGIN'],
    allowInsecureAuth: false,
    authOptional: false,
    size: SANDBOX_MAX_BYTES,
    rejectOversized: true,
    closeTimeout: options.closeTimeoutMs ?? 2000,
    onConnect(_session, callback) {
      // 'hang' keeps the TCP connection open and silent: the callback that sends the greeting never runs.
      void currentMode().then((mode) => {
        if (mode !== 'hang') callback();
      });
    },
    onAuth(auth, _session, callback) {
      void currentMode().then((mode) => {
        if (mode === 'reject-auth') return callback(reply(535, '5.7.8 Authentication credentials invalid'));
        // Like Exchange Online with Basic authentication off: a password is refused, OAuth still works.
        if (mode === 'basic-auth-off' && auth.method !== 'XOAUTH2') {
          return callback(reply(550, '5.7.30 Basic authentication is not supported for Client Submission.'));
        }
        if (auth.method === 'XOAUTH2') {
          // Refused like Gmail: a 334 JSON challenge, then 535 once the client answers it.
          const verify = options.verifyToken?.(auth.username ?? '', auth.accessToken ?? '') ?? Promise.resolve(false);
          return void verify.then((ok) => (ok ? callback(null, { user: auth.username }) : callback(null, { data: { status: '401', schemes: 'Bearer', scope: 'smtp.send' } })));
        }
        if (auth.username !== options.username || auth.password !== options.password) {
          return callback(reply(535, '5.7.8 Authentication credentials invalid'));
        }
        callback(null, { user: auth.username });
      });
    },
    onMailFrom(_address, _session, callback) {
      void currentMode().then((mode) => {
        if (mode === 'refuse-sender') {
          return callback(reply(550, '5.7.60 SMTP; Client does not have permissions to send as this sender (SendAsDenied)'));
        }
        callback();
      });
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      stream.on('end', () => {
        if (stream.sizeExceeded) return callback(reply(552, '5.3.4 Message exceeds the sandbox limit of 10 MB'));
        signAsRelay(Buffer.concat(chunks).toString('utf8'), options.dkim)
          .then((raw) =>
            storeSandboxMessage({
              mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              rcptTo: session.envelope.rcptTo.map((r) => r.address),
              authUser: typeof session.user === 'string' ? session.user : null,
              raw,
            }),
          )
          .then(
            (id) => callback(null, `2.0.0 Ok: stored in the sandbox inbox as ${id}`),
            (error: unknown) => {
              logError('sandbox: could not store a message', error);
              callback(reply(451, '4.3.0 The sandbox could not store the message; try again'));
            },
          );
      });
    },
  };
}

function listen(server: SMTPServer, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.server.once('error', onError);
    server.listen(port, host, () => {
      server.server.off('error', onError);
      const address = server.server.address();
      if (!address || typeof address === 'string') return reject(new Error('the sandbox has no port'));
      resolve(address.port);
    });
  });
}

function closeServer(server: SMTPServer): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

export async function startSandbox(options: SandboxOptions): Promise<RunningSandbox> {
  const hosts = [options.host ?? '127.0.0.1'].flat();
  const servers: SMTPServer[] = [];
  const listening: string[] = [];
  let port = options.port ?? DEFAULT_SANDBOX_PORT;
  try {
    for (const [index, host] of hosts.entries()) {
      const server = new SMTPServer(serverOptions(options));
      // A client that hangs up mid-handshake is ordinary for a sandbox; it must not end the process.
      server.on('error', () => {});
      try {
        port = await listen(server, port, host);
      } catch (error) {
        // Only the first address is required: a machine without IPv6 still gets a working sandbox.
        if (index > 0 && ['EADDRNOTAVAIL', 'EAFNOSUPPORT'].includes((error as NodeJS.ErrnoException).code ?? '')) continue;
        throw error;
      }
      servers.push(server);
      listening.push(host);
    }
  } catch (error) {
    await Promise.all(servers.map(closeServer));
    throw error;
  }
  return { port, hosts: listening, close: async () => void (await Promise.all(servers.map(closeServer))) };
}
