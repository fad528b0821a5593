import 'server-only';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { jwtVerify, SignJWT } from 'jose';

// The demo identity provider started with the sandbox, so a new user can try the OAuth path with
// `npm start` alone: the client-credentials grant at /token (the generic provider) and at the Entra-shaped
// /{tenant}/oauth2/v2.0/token (the Microsoft provider, with RELAYDESK_OAUTH_AUTHORITY_MICROSOFT pointing
// here; npm start sets it in demo mode), one demo client (a GUID on the Entra path), JWT access tokens signed with a key that lives as long as the process. The
// sandbox verifies XOAUTH2 tokens with verifyToken. Errors look like the real providers' (AADSTS codes on
// the Entra path), so the diagnoses can be tried too.

export const DEMO_OAUTH_CLIENT_ID = 'relaydesk-demo';
/** The demo application (client) id on the Entra-shaped path: Microsoft's client ids are GUIDs, and the form checks that. */
export const DEMO_MICROSOFT_CLIENT_ID = '11111111-2222-3333-4444-555555555555';
export const DEMO_OAUTH_SCOPE = 'smtp.send';
export const DEMO_OAUTH_AUDIENCE = 'relaydesk-sandbox';
const TOKEN_SECONDS = 3600;
const MAX_BODY = 16 * 1024;

export type DemoIdpOptions = {
  /** Like the sandbox: 127.0.0.1 and ::1, since `localhost` may resolve to either. */
  host: string | string[];
  /** 0 picks a free port. */
  port: number;
  tls: { key: string; cert: string };
  /** The demo client's secret (the sandbox password, so the demo has one secret to show). */
  clientSecret: string;
};

export type RunningDemoIdp = {
  port: number;
  /** https://localhost:<port>, the issuer. */
  origin: string;
  /** True when token is a live access token of this IdP issued to act as user. */
  verifyToken: (user: string, token: string) => Promise<boolean>;
  close: () => Promise<void>;
};

type Answer = { status: number; json: Record<string, unknown> };

function entra(code: number, error: string, text: string): Answer {
  return { status: error === 'invalid_client' ? 401 : 400, json: { error, error_description: `AADSTS${code}: ${text}`, error_codes: [code] } };
}

/** The client's id and secret from HTTP Basic (form-encoded, RFC 6749 2.3.1) or the form. */
function clientOf(authorization: string | undefined, form: URLSearchParams): { id: string; secret: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? '')?.[1];
  if (basic) {
    const [id = '', secret = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':');
    return { id: decodeURIComponent(id), secret: decodeURIComponent(secret) };
  }
  return { id: form.get('client_id') ?? '', secret: form.get('client_secret') ?? '' };
}

export async function startDemoIdp(options: DemoIdpOptions): Promise<RunningDemoIdp> {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let origin = '';

  async function issue(path: string, authorization: string | undefined, form: URLSearchParams): Promise<Answer> {
    const entraPath = /^\/[A-Za-z0-9.-]+\/oauth2\/v2\.0\/token$/.test(path);
    if (path !== '/token' && !entraPath) return { status: 404, json: { error: 'not_found' } };
    if (form.get('grant_type') !== 'client_credentials')
      return { status: 400, json: { error: 'unsupported_grant_type', error_description: 'Only client_credentials is supported.' } };
    const client = clientOf(authorization, form);
    if (client.id !== DEMO_OAUTH_CLIENT_ID && !(entraPath && client.id === DEMO_MICROSOFT_CLIENT_ID)) {
      return entraPath
        ? entra(700016, 'unauthorized_client', `Application with identifier '${client.id}' was not found in the directory.`)
        : { status: 401, json: { error: 'invalid_client' } };
    }
    if (client.secret !== options.clientSecret)
      return entraPath ? entra(7000215, 'invalid_client', 'Invalid client secret provided.') : { status: 401, json: { error: 'invalid_client' } };
    const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
    if (!entraPath && scopes.some((s) => s !== DEMO_OAUTH_SCOPE))
      return { status: 400, json: { error: 'invalid_scope', error_description: `Only ${DEMO_OAUTH_SCOPE} is granted.` } };
    const token = await new SignJWT({ client_id: client.id, scope: DEMO_OAUTH_SCOPE })
      .setProtectedHeader({ alg: 'RS256', typ: 'at+jwt' })
      .setIssuer(origin)
      .setAudience(DEMO_OAUTH_AUDIENCE)
      .setSubject(client.id)
      .setJti(randomUUID())
      .setIssuedAt()
      .setExpirationTime(`${TOKEN_SECONDS}s`)
      .sign(privateKey);
    return { status: 200, json: { access_token: token, token_type: 'Bearer', expires_in: TOKEN_SECONDS } };
  }

  const handler: import('node:http').RequestListener = (req, res) => {
    const send = ({ status, json }: Answer) => res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(json));
    if (req.method !== 'POST') return send({ status: 405, json: { error: 'invalid_request' } });
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      issue((req.url ?? '/').split('?')[0]!, req.headers.authorization, form).then(send, () => send({ status: 500, json: { error: 'server_error' } }));
    });
  };
  const servers: https.Server[] = [];
  let port = options.port;
  for (const [index, host] of [options.host].flat().entries()) {
    const server = https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler);
    server.on('tlsClientError', () => {});
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      // Only the first address is required: a machine without IPv6 still gets a working demo.
      if (index > 0 && ['EADDRNOTAVAIL', 'EAFNOSUPPORT'].includes((error as NodeJS.ErrnoException).code ?? '')) continue;
      await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
      throw error;
    }
    port = (server.address() as AddressInfo).port;
    servers.push(server);
  }
  origin = `https://localhost:${port}`;

  return {
    port,
    origin,
    // The demo client may send as any mailbox: in the sandbox everything is the demo's.
    verifyToken: async (_user, token) => {
      try {
        await jwtVerify(token, publicKey, { issuer: origin, audience: DEMO_OAUTH_AUDIENCE });
        return true;
      } catch {
        return false;
      }
    },
    close: async () => {
      await Promise.all(
        servers.map((server) => {
          server.closeAllConnections();
          return new Promise<void>((resolve) => server.close(() => resolve()));
        }),
      );
    },
  };
}
