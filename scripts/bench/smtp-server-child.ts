// The STARTTLS+AUTH server of the domain bench in a process of its own: a customer's SMTP server is never
// on the event loop of the validation that talks to it, so the domain step's lookups can overlap the
// conversation as they do in production. Certificates come in BENCH_SMTP_TLS (JSON { key, cert });
// prints the port, serves until killed.
import { startServer, withoutGreetingPause } from './probe-bench';

const tls = JSON.parse(process.env.BENCH_SMTP_TLS ?? 'null') as { key: string; cert: string } | null;
if (!tls) throw new Error('BENCH_SMTP_TLS (JSON { key, cert }) is required');
withoutGreetingPause();
const server = await startServer(tls);
console.log(server.port);
const stop = () => void server.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
