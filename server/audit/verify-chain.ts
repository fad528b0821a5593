import 'server-only';
// Walks the chain in seq order recomputing every hash, then holds it against the signed checkpoints.
// Reports the first event that does not fit: edited, removed, or cut off after a checkpoint.
import { db } from '../db';
import { eventHash, GENESIS_HASH } from './canonical';
import { checkpointSignatureValid, readCheckpoints, verifyKey } from './checkpoints';

export type ChainReport = { ok: boolean; checked: number; firstBrokenSeq: number | null; checkpoints: number };

const PAGE = 5000;

export async function verifyChain(): Promise<ChainReport> {
  const checkpoints = readCheckpoints();
  const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  const broken = (seq: number): ChainReport => ({ ok: false, checked, firstBrokenSeq: seq, checkpoints: checkpoints.length });
  for (;;) {
    const page = await db.auditEvent.findMany({ where: { seq: { gte: expectedSeq } }, orderBy: { seq: 'asc' }, take: PAGE });
    for (const e of page) {
      if (e.seq !== expectedSeq || e.prevHash !== prevHash || e.hash !== eventHash({ ...e, at: e.at.toISOString() })) return broken(expectedSeq);
      const checkpoint = bySeq.get(e.seq);
      if (checkpoint && checkpoint.hash !== e.hash) return broken(e.seq);
      prevHash = e.hash;
      expectedSeq += 1;
      checked += 1;
    }
    if (page.length < PAGE) break;
  }
  if (checkpoints.length > 0) {
    const key = verifyKey();
    const forged = checkpoints.find((c) => !checkpointSignatureValid(c, key));
    if (forged) return broken(forged.seq);
    // Events up to a signed checkpoint are gone: the newest were cut off.
    const newest = Math.max(...checkpoints.map((c) => c.seq));
    if (newest >= expectedSeq) return broken(expectedSeq);
  }
  return { ok: true, checked, firstBrokenSeq: null, checkpoints: checkpoints.length };
}
