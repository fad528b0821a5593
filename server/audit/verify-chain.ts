import 'server-only';
// Walks the chain in seq order and recomputes every hash. Reports the first event that does not fit.
import { db } from '../db';
import { eventHash, GENESIS_HASH } from './canonical';

export type ChainReport = { ok: boolean; checked: number; firstBrokenSeq: number | null };

const PAGE = 2000;

export async function verifyChain(): Promise<ChainReport> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  for (;;) {
    const page = await db.auditEvent.findMany({ where: { seq: { gte: expectedSeq } }, orderBy: { seq: 'asc' }, take: PAGE });
    for (const e of page) {
      const recomputed = eventHash({ ...e, at: e.at.toISOString() });
      if (e.seq !== expectedSeq || e.prevHash !== prevHash || e.hash !== recomputed) {
        return { ok: false, checked, firstBrokenSeq: expectedSeq };
      }
      prevHash = e.hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (page.length < PAGE) return { ok: true, checked, firstBrokenSeq: null };
  }
}
