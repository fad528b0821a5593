// The demo SMTP sandbox as its own process (`npm start` runs it beside the web app in demo mode):
// node --conditions=react-server --import tsx scripts/sandbox.ts
import 'dotenv/config';
import { readEnv } from '@/server/env';
import { DEFAULT_SANDBOX_PORT, SANDBOX_USERNAME } from '@/lib/sandbox-modes';
import { loadDemoSecretsIfPresent } from './demo-secrets';

async function main() {
  const env = readEnv();
  loadDemoSecretsIfPresent(env.RELAYDESK_DATA_DIR);
  process.env.DATABASE_URL = env.DATABASE_URL;
  const password = process.env.SANDBOX_PASSWORD;
  if (!password) throw new Error(`SANDBOX_PASSWORD is not set and ${env.RELAYDESK_DATA_DIR}/demo-secrets.json has none; run \`npm start\` in demo mode once.`);
  const port = Number(process.env.SANDBOX_PORT ?? DEFAULT_SANDBOX_PORT);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`SANDBOX_PORT must be a port number, not "${process.env.SANDBOX_PORT}"`);

  // server/db reads DATABASE_URL when it loads, so the sandbox modules load after it is set.
  const { ensureSandboxCertificates } = await import('@/server/sandbox/sandbox-ca');
  const { startSandbox } = await import('@/server/sandbox/sandbox-server');
  const { startDemoIdp, DEMO_OAUTH_CLIENT_ID, DEMO_OAUTH_SCOPE } = await import('@/server/sandbox/demo-idp');
  const certs = await ensureSandboxCertificates(env.RELAYDESK_DATA_DIR);
  const oauthPort = Number(process.env.SANDBOX_OAUTH_PORT ?? port + 1);
  // The demo identity provider (client credentials, the sandbox password as client secret) on loopback.
  const idp = await startDemoIdp({ host: ['127.0.0.1', '::1'], port: oauthPort, tls: certs, clientSecret: password }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new Error(`Port ${oauthPort} is in use; stop what uses it or set SANDBOX_OAUTH_PORT.`);
    throw error;
  });
  // The demo DNS zone (server/dns/demo-zone.ts): the sandbox signs acme.example mail with the key it publishes.
  const { startDemoDns, demoDkimKey, DEMO_GOOD_DOMAIN, DEMO_DKIM_SELECTOR } = await import('@/server/dns/demo-zone');
  const dkimKey = demoDkimKey();
  const dnsPort = Number(process.env.SANDBOX_DNS_PORT ?? port + 2);
  const demoDns = await startDemoDns(dnsPort, dkimKey.publicKey).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'EADDRINUSE') throw new Error(`UDP port ${dnsPort} is in use; stop what uses it or set SANDBOX_DNS_PORT.`);
    throw error;
  });
  const dkim = { domains: [DEMO_GOOD_DOMAIN], selector: DEMO_DKIM_SELECTOR, privateKey: dkimKey.privateKey };
  const sandbox = await startSandbox({ host: ['127.0.0.1', '::1'], port, tls: certs, username: SANDBOX_USERNAME, password, verifyToken: idp.verifyToken, dkim }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') throw new Error(`Port ${port} is in use; stop what uses it or set SANDBOX_PORT.`);
      throw error;
    },
  );
  console.log(
    `[sandbox] SMTP sandbox listening on ${sandbox.hosts.map((h) => (h.includes(':') ? `[${h}]` : h)).join(', ')} port ${sandbox.port} (STARTTLS, AUTH PLAIN/LOGIN as ${SANDBOX_USERNAME}, XOAUTH2); CA: ${certs.caFile}`,
  );
  console.log(`[sandbox] demo DNS on ${demoDns.address} (udp): ${DEMO_GOOD_DOMAIN} passes every domain check; use a no-reply address @globex.example to see failures`);
  console.log(
    `[sandbox] demo identity provider: token URL ${idp.origin}/token, client id ${DEMO_OAUTH_CLIENT_ID}, scope ${DEMO_OAUTH_SCOPE}, client secret = the sandbox password`,
  );

  const stop = () => {
    void Promise.all([sandbox.close(), idp.close(), demoDns.close()]).finally(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(`[sandbox] ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
