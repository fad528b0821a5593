// A real SMTP server (smtp-server, STARTTLS) that accepts AUTH XOAUTH2 only with an access token of the
// test identity provider: signature checked against its JWKS (jose), issuer, audience and expiry, and the
// subject: a token for the mailbox itself (Google), or a client allowed to send as the mailbox (Microsoft's
// SMTP.SendAsApp plus mailbox permission). Refusals look like the provider's: Exchange answers
// 535 5.7.3 at once, Google answers a 334 JSON challenge and then 535.
import { createLocalJWKSet, jwtVerify, type JWTPayload } from 'jose';
import { SMTPServer } from 'smtp-server';
import type { TestIdp } from './oauth-idp';
import { testCerts, type KeyCert } from './smtp-certs';

export type OAuthSmtpOptions = {
  idp: TestIdp;
  /** Default: the CA-signed certificate for mail.relaydesk.test. */
  cert?: KeyCert;
  style: 'microsoft' | 'google';
  /** Token audiences this server is (Exchange Online's, Gmail's, the generic resource). */
  audiences: string[];
  /** Client id → mailboxes it may send as (client-credentials tokens carry no mailbox). */
  sendAs?: Record<string, string[]>;
  /** Also accept AUTH PLAIN with this login (the request is applied through the password path first). */
  password?: { user: string; pass: string };
  /** Hang up after every message, so each message logs in again with the token of the moment. */
  closeAfterMessage?: boolean;
};

export type OAuthAuthAttempt = { user: string; ok: boolean; why: string; jti: string; token: string };
export type OAuthMail = { mailFrom: string; rcptTo: string[]; raw: string; user: string };

export type OAuthSmtpServer = {
  port: number;
  received: OAuthMail[];
  auths: OAuthAuthAttempt[];
  /** Token ids revoked (the server refuses them from now on). */
  revoked: Set<string>;
  /** Refuse every token (mailbox permission removed): 'no' or the reply to give. */
  refuseAll: { reply: { code: number; message: string } | null };
  close: () => Promise<void>;
};

export async function startOAuthSmtpServer(options: OAuthSmtpOptions): Promise<OAuthSmtpServer> {
  const cert = options.cert ?? (await testCerts()).valid;
  const jwks = createLocalJWKSet(options.idp.jwks);
  const received: OAuthMail[] = [];
  const auths: OAuthAuthAttempt[] = [];
  const revoked = new Set<string>();
  const refuseAll: OAuthSmtpServer['refuseAll'] = { reply: null };
  const sendAs = options.sendAs ?? {};

  const refusal = (why: string) =>
    options.style === 'microsoft'
      ? { error: Object.assign(new Error('5.7.3 Authentication unsuccessful [DM6PR03CA0012.namprd03.prod.outlook.test]'), { responseCode: 535 }), data: null }
      : { error: null, data: { status: '400', schemes: 'Bearer', scope: 'https://mail.google.com/', why } };

  async function check(user: string, token: string): Promise<{ ok: boolean; why: string; jti: string }> {
    let payload: JWTPayload;
    try {
      ({ payload } = await jwtVerify(token, jwks, { issuer: options.idp.issuer, audience: options.audiences }));
    } catch (error) {
      return { ok: false, why: `token: ${(error as { code?: string }).code ?? 'invalid'}`, jti: '' };
    }
    const jti = String(payload.jti ?? '');
    if (revoked.has(jti)) return { ok: false, why: 'revoked', jti };
    const clientId = String(payload.client_id ?? '');
    const mayActAs = payload.sub === user || (sendAs[clientId] ?? []).includes(user);
    return mayActAs ? { ok: true, why: 'ok', jti } : { ok: false, why: `token for ${String(payload.sub)} (${clientId}), not ${user}`, jti };
  }

  const server = new SMTPServer({
    key: cert.key,
    cert: cert.cert,
    name: options.style === 'microsoft' ? 'smtp.office365.test' : 'smtp.gmail.test',
    logger: false,
    closeTimeout: 100,
    disableReverseLookup: true,
    authMethods: options.password ? ['XOAUTH2', 'PLAIN'] : ['XOAUTH2'],
    onAuth(auth, _session, callback) {
      if (auth.method === 'PLAIN') {
        const ok = auth.username === options.password?.user && auth.password === options.password?.pass;
        return ok ? callback(null, { user: auth.username }) : callback(Object.assign(new Error('5.7.8 Authentication credentials invalid'), { responseCode: 535 }));
      }
      const user = auth.username ?? '';
      const token = auth.accessToken ?? '';
      check(user, token).then(({ ok, why, jti }) => {
        const forced = refuseAll.reply;
        auths.push({ user, ok: ok && !forced, why: forced ? 'refused by the test' : why, jti, token });
        if (forced) return callback(Object.assign(new Error(forced.message), { responseCode: forced.code }));
        if (ok) return callback(null, { user });
        const { error, data } = refusal(why);
        if (error) return callback(error);
        callback(null, { data: data ?? {} });
      }, callback);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({
          mailFrom: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
          rcptTo: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
          user: String(session.user ?? ''),
        });
        callback(null, 'Ok: queued');
        if (options.closeAfterMessage) {
          for (const connection of (server as unknown as { connections: Set<{ id: string; close: () => void }> }).connections) {
            if (connection.id === session.id) setTimeout(() => connection.close(), 5);
          }
        }
      });
    },
  });
  server.on('error', () => {});
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  return { port: address.port, received, auths, revoked, refuseAll, close: () => new Promise((r) => server.close(() => r())) };
}
