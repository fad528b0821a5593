// A real SMTP server for the tests (the smtp-server package): STARTTLS or implicit TLS with a
// generated certificate, AUTH PLAIN/LOGIN/CRAM-MD5, and replies that can be set to what real
// providers answer when something is wrong.
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { testCerts, type KeyCert } from './smtp-certs';

export type ServerReply = { code: number; message: string };

export type TestServerOptions = {
  /** Certificate for STARTTLS / implicit TLS; default: the CA-signed one for mail.relaydesk.test. */
  cert?: KeyCert;
  /** Implicit TLS from the first byte (port 465 style). */
  secure?: boolean;
  authMethods?: string[];
  user?: { username: string; password: string };
  /** Every AUTH attempt is answered with this. */
  authReply?: ServerReply;
  mailFromReply?: ServerReply;
  rcptToReply?: ServerReply;
  /** Per-recipient answer (e.g. a relay refusal for outside domains); undefined accepts. */
  rcptToReplyFor?: (address: string) => ServerReply | undefined;
  dataReply?: ServerReply;
  size?: number;
  disabledCommands?: string[];
  authOptional?: boolean;
  allowInsecureAuth?: boolean;
  /** Leave PIPELINING out of the EHLO reply (a server that wants one command at a time). */
  hidePipelining?: boolean;
};

export type ReceivedMail = { mailFrom: string; rcptTo: string[]; raw: string; user: string | undefined };

export type TestSmtpServer = {
  port: number;
  received: ReceivedMail[];
  auths: { method: string; username: string | undefined }[];
  connections: () => number;
  close: () => Promise<void>;
};

export const TEST_USER = { username: 'probe-user@relaydesk.test', password: 'S3cret-Pa55word!' };

function replyError({ code, message }: ServerReply): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtpServer(options: TestServerOptions = {}): Promise<TestSmtpServer> {
  const cert = options.cert ?? (await testCerts()).valid;
  const user = options.user ?? TEST_USER;
  const received: ReceivedMail[] = [];
  const auths: TestSmtpServer['auths'] = [];
  let connections = 0;

  const config: SMTPServerOptions = {
    secure: options.secure ?? false,
    key: cert.key,
    cert: cert.cert,
    name: 'mx.relaydesk.test',
    logger: false,
    closeTimeout: 200,
    disableReverseLookup: true,
    authMethods: options.authMethods ?? ['PLAIN', 'LOGIN', 'CRAM-MD5'],
    authOptional: options.authOptional ?? false,
    allowInsecureAuth: options.allowInsecureAuth ?? false,
    disabledCommands: options.disabledCommands ?? [],
    ...(options.size ? { size: options.size } : {}),
    ...(options.hidePipelining ? { hidePIPELINING: true } : {}),
    onConnect(_session, callback) {
      connections += 1;
      callback();
    },
    onAuth(auth, _session, callback) {
      auths.push({ method: auth.method, username: auth.username });
      if (options.authReply) return callback(replyError(options.authReply));
      const passwordOk = auth.method === 'CRAM-MD5' ? auth.validatePassword(user.password) : auth.password === user.password;
      if (auth.username !== user.username || !passwordOk) {
        return callback(replyError({ code: 535, message: '5.7.8 Error: authentication failed: bad username or password' }));
      }
      callback(null, { user: auth.username });
    },
    onMailFrom(_address, _session, callback) {
      callback(options.mailFromReply ? replyError(options.mailFromReply) : undefined);
    },
    onRcptTo(address, _session, callback) {
      const reply = options.rcptToReplyFor?.(address.address) ?? options.rcptToReply;
      callback(reply ? replyError(reply) : undefined);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        if (options.dataReply) return callback(replyError(options.dataReply));
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: typeof session.user === 'string' ? session.user : undefined,
        });
        callback();
      });
    },
  };
  const server = new SMTPServer(config);
  // Clients that hang up mid-handshake are part of the tests; they must not crash the runner.
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    received,
    auths,
    connections: () => connections,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
