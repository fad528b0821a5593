import 'server-only';
// Walks the chain in seq order recomputing every hash, then holds it against the signed checkpoints.
// Reports the first event that does not fit: edited, removed, or cut off after a checkpoint.
//
// Two cores share the work (docs/decisions/009): this thread reads pages as plain arrays through the
// driver adapter and checks the links (seq, previous hash, checkpoints); a worker thread rebuilds each
// event's canonical text and its hash; the next page is read while the last one is hashed.
import { Worker } from 'node:worker_threads';
import { z } from 'zod';
import { connectRawReader } from '../db';
import { placeholder } from '../db-dialect';
import { CANONICAL_LAYOUT, GENESIS_HASH, HASHED_COLUMNS } from './canonical';
import { checkpointsOfAnotherChain, firstForgedCheckpoint, readCheckpoints } from './checkpoints';

/**
 * `reason` is set when the verdict is not about an event: 'checkpoints-of-another-database' means the
 * signed checkpoints name a chain whose first event this database does not have (the file was written
 * for another database, or every event of this one was rewritten from the first); firstBrokenSeq is then null.
 */
export const ChainReportSchema = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  firstBrokenSeq: z.number().int().nullable(),
  checkpoints: z.number().int(),
  reason: z.literal('checkpoints-of-another-database').optional(),
});
export type ChainReport = z.infer<typeof ChainReportSchema>;
/** How far a verification has got: events checked, of the events there were when it started. */
export const VerifyProgressSchema = z.object({ checked: z.number().int(), total: z.number().int() });
export type VerifyProgress = z.infer<typeof VerifyProgressSchema>;
export type VerifyOptions = {
  /** Called after each page of events is checked. */
  onProgress?: (progress: VerifyProgress) => void;
  /** Stops the walk (the caller went away); verifyChain then rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Events per page; tests make it small to cross page boundaries with a handful of events. */
  pageSize?: number;
};

// The hashed columns, then the stored hash: a row is read as an array in this order.
const COLUMNS = [...HASHED_COLUMNS, 'hash'] as const;
const SEQ = 0;
const AT = 1;
const PREV_HASH = HASHED_COLUMNS.indexOf('prevHash');
const HASH = COLUMNS.length - 1;
const PAGE_SQL = `SELECT ${COLUMNS.map((c) => `"${c}"`).join(', ')} FROM "AuditEvent" WHERE "seq" >= ${placeholder(1)} ORDER BY "seq" LIMIT ${placeholder(2)}`;
const INT = { scalarType: 'int', arity: 'scalar' } as const;

type Row = (string | number | null)[];

/** The values as they were hashed: seq a number, at in ISO form (each database returns its own). */
function normalize(row: Row): Row {
  row[SEQ] = Number(row[SEQ]);
  const at = row[AT] as string;
  // SQLite keeps "…T00:00:01.000+00:00": the same instant as "…T00:00:01.000Z" without parsing a date.
  row[AT] = at.length === 29 && at.endsWith('+00:00') ? `${at.slice(0, 23)}Z` : new Date(at).toISOString();
  return row;
}

// The hashing thread's whole program: it gets a page of normalized rows (arrays), builds each event's
// canonical text (CANONICAL_LAYOUT, the loop of canonicalRowText), hashes it as eventHash does (one-shot
// SHA-256 of the UTF-8 text) and compares with the stored hash. It answers the index of the first row
// whose hash differs, or -1.
const HASHER = `
const { parentPort, workerData } = require('node:worker_threads');
const { hash: sha } = require('node:crypto');
const { prefixes, columns, hash } = workerData;
parentPort.on('message', (rows) => {
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r];
    let text = '';
    for (let i = 0; i < prefixes.length; i++) text += prefixes[i] + JSON.stringify(row[columns[i]] ?? null);
    if (sha('sha256', text + '}', 'hex') !== row[hash]) return parentPort.postMessage(r);
  }
  parentPort.postMessage(-1);
});`;

/** Hashes pages on another thread; pages are answered in the order they were sent. */
class Hasher {
  private readonly worker = new Worker(HASHER, { eval: true, workerData: { ...CANONICAL_LAYOUT, hash: HASH } });
  private readonly waiting: { resolve: (firstBad: number) => void; reject: (error: unknown) => void }[] = [];

  constructor() {
    this.worker.on('message', (firstBad: number) => this.waiting.shift()?.resolve(firstBad));
    this.worker.on('error', (error) => this.waiting.splice(0).forEach((w) => w.reject(error)));
  }

  /** The index of the first row whose stored hash is not the hash of its canonical text, or -1. */
  check(rows: Row[]): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting.push({ resolve, reject });
      this.worker.postMessage(rows);
    });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

export async function verifyChain({ onProgress, signal, pageSize = 5000 }: VerifyOptions = {}): Promise<ChainReport> {
  const checkpoints = readCheckpoints();
  const bySeq = new Map(checkpoints.map((c) => [c.seq, c]));
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  const broken = (seq: number): ChainReport => ({ ok: false, checked, firstBrokenSeq: seq, checkpoints: checkpoints.length });

  /** The checks of one page, in seq order, given the hashing thread's answer: the seq of the first event that does not fit. */
  const check = (rows: Row[], firstBadHash: number): number | null => {
    for (let i = 0; i < rows.length; i++) {
      const row = rows[i]!;
      const hash = row[HASH] as string;
      if (row[SEQ] !== expectedSeq || row[PREV_HASH] !== prevHash || i === firstBadHash) return expectedSeq;
      const checkpoint = bySeq.get(expectedSeq);
      if (checkpoint && checkpoint.hash !== hash) return expectedSeq;
      prevHash = hash;
      expectedSeq += 1;
      checked += 1;
    }
    return null;
  };

  const reader = await connectRawReader();
  const hasher = new Hasher();
  try {
    // Authentic checkpoints of another chain: say so, rather than report the first event they contradict.
    if (checkpoints.some((c) => c.genesis !== undefined)) {
      const first = await reader.queryRaw({ sql: 'SELECT "hash" FROM "AuditEvent" WHERE "seq" = 1', args: [], argTypes: [] });
      const genesis = (first.rows[0]?.[0] as string | undefined) ?? null;
      if (checkpointsOfAnotherChain(checkpoints, genesis).length > 0 && !firstForgedCheckpoint(checkpoints)) {
        return { ok: false, checked: 0, firstBrokenSeq: null, checkpoints: checkpoints.length, reason: 'checkpoints-of-another-database' };
      }
    }
    const head = await reader.queryRaw({ sql: 'SELECT max("seq") FROM "AuditEvent"', args: [], argTypes: [] });
    const total = Number(head.rows[0]?.[0] ?? 0);
    let hashing: { rows: Row[]; firstBad: Promise<number> } | null = null;
    /** Finishes the page being hashed: the seq of the first event that does not fit, or null. */
    const settle = async () => {
      if (!hashing) return null;
      const at = check(hashing.rows, await hashing.firstBad);
      onProgress?.({ checked, total: Math.max(total, checked) });
      return at;
    };
    let from = 1;
    for (;;) {
      signal?.throwIfAborted();
      const page = await reader.queryRaw({ sql: PAGE_SQL, args: [from, pageSize], argTypes: [INT, INT] });
      const rows = (page.rows as Row[]).map(normalize);
      const next = rows.length > 0 ? { rows, firstBad: hasher.check(rows) } : null;
      const at = await settle();
      if (at !== null) return broken(at);
      hashing = next;
      if (rows.length < pageSize) break;
      from = (rows[rows.length - 1]![SEQ] as number) + 1;
    }
    const at = await settle();
    if (at !== null) return broken(at);
  } finally {
    await hasher.close();
    await reader.dispose();
  }
  if (checkpoints.length > 0) {
    const forged = firstForgedCheckpoint(checkpoints);
    if (forged) return broken(forged.seq);
    // Events up to a signed checkpoint are gone: the newest were cut off.
    const newest = Math.max(...checkpoints.map((c) => c.seq));
    if (newest >= expectedSeq) return broken(expectedSeq);
  }
  return { ok: true, checked, firstBrokenSeq: null, checkpoints: checkpoints.length };
}
