// The OAuth bench's identity provider (the demo IdP) and its XOAUTH2 SMTP server, in a process of their
// own: a customer's Entra or Google and their mail server are never on our event loop. Certificates come
// in BENCH_SMTP_TLS (JSON { key, cert }), the client secret in BENCH_OAUTH_SECRET. Prints
// { smtpPort, idpPort, idpOrigin } as one line of JSON, serves until killed.
import { SMTPServer } from 'smtp-server';
import { startDemoIdp } from '@/server/sandbox/demo-idp';
import { withoutGreetingPause } from './probe-bench';

const tls = JSON.parse(process.env.BENCH_SMTP_TLS ?? 'null') as { key: string; cert: string } | null;
const clientSecret = process.env.BENCH_OAUTH_SECRET;
if (!tls || !clientSecret) throw new Error('BENCH_SMTP_TLS (JSON { key, cert }) and BENCH_OAUTH_SECRET are required');
withoutGreetingPause();
const idp = await startDemoIdp({ host: '127.0.0.1', port: 0, tls, clientSecret });
const server = new SMTPServer({
  key: tls.key,
  cert: tls.cert,
  logger: false,
  disableReverseLookup: true,
  authMethods: ['XOAUTH2'],
  closeTimeout: 200,
  onAuth(auth, _session, callback) {
    void idp
      .verifyToken(auth.username ?? '', auth.accessToken ?? '')
      .then((ok) => (ok ? callback(null, { user: auth.username }) : callback(Object.assign(new Error('5.7.3 Authentication unsuccessful'), { responseCode: 535 }))));
  },
});
server.on('error', () => {});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const address = server.server.address();
if (!address || typeof address === 'string') throw new Error('no port');
console.log(JSON.stringify({ smtpPort: address.port, idpPort: idp.port, idpOrigin: idp.origin }));
const stop = () => void Promise.all([new Promise<void>((r) => server.close(() => r())), idp.close()]).finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
