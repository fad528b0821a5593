// The demo DNS zone in a process of its own, for the domain bench: as in `npm start` (the sandbox
// process serves it) and in production (a DNS server elsewhere), answering does not run on the event
// loop of the validation being measured. Prints its address, serves until killed.
import { startDemoDns } from '@/server/dns/demo-zone';

const publicKey = process.argv[2];
if (!publicKey) throw new Error('usage: demo-dns-child.ts <dkim public key, base64 DER>');
const dns = await startDemoDns(0, publicKey);
console.log(dns.address);
const stop = () => void dns.close().finally(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
