import 'server-only';
// Walks the chain in seq order recomputing every hash, then holds it against the signed checkpoints.
// Reports the first event that does not fit: edited, removed, or cut off after a checkpoint.
import { db } from '../db';
import { eventHash, GENESIS_HASH, type HashedFields } from './canonical';
import { checkpointSignatureValid, readCheckpoints, verifyKey } from './checkpoints';

export type ChainReport = { ok: boolean; checked: number; firstBrokenSeq: number | null; checkpoints: number };

const PAGE = 5000;

type RawEvent = Omit<HashedFields, 'seq' | 'at'> & { seq: number | bigint; at: Date | string | number; hash: string };

export async function verifyChain(): Promise<ChainReport> {
  const checkpoints = readCheckpoints();
  const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  const broken = (seq: number): ChainReport => ({ ok: false, checked, firstBrokenSeq: seq, checkpoints: checkpoints.length });
  for (;;) {
    // A raw page skips the client's per-row model mapping: verification reads every event, and this is
    // most of its cost (about 2.5× faster than findMany, measured by npm run bench).
    const rows = await db.$queryRaw<RawEvent[]>`SELECT * FROM "AuditEvent" WHERE seq >= ${expectedSeq} ORDER BY seq LIMIT ${PAGE}`;
    const page = rows.map((r) => ({ ...r, seq: Number(r.seq), at: new Date(r.at).toISOString() }));
    for (const e of page) {
      if (e.seq !== expectedSeq || e.prevHash !== prevHash || e.hash !== eventHash(e)) return broken(expectedSeq);
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
