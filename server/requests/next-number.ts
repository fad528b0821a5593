import 'server-only';
import type { Tx } from '../db';

const FIRST_NUMBER = 1001;

/** Request numbers (SMTP-1001, …) come from a counter row, incremented inside the creating transaction. */
export async function nextRequestNumber(tx: Tx): Promise<number> {
  const counter = await tx.counter.upsert({
    where: { name: 'smtp-request' },
    create: { name: 'smtp-request', value: FIRST_NUMBER },
    update: { value: { increment: 1 } },
  });
  return counter.value;
}
