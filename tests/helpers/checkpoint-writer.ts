// A process of a fleet, as far as the audit trail goes: it writes checkpoints of the chain head into the
// shared checkpoints file as fast as it can, until its stdin closes (tests/integration/audit-writers.test.ts).
import { writeCheckpoint } from '@/server/audit/checkpoints';
import { db } from '@/server/db';

let running = true;
process.stdin.on('end', () => (running = false)).resume();
console.log('ready');
let written = 0;
while (running) {
  if (await writeCheckpoint()) written += 1;
  await new Promise((r) => setImmediate(r));
}
if (await writeCheckpoint()) written += 1;
console.log(JSON.stringify({ written }));
await db.$disconnect();
