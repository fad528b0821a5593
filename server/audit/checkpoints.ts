import 'server-only';
// Signed checkpoints of the chain head, kept OUTSIDE the database (a file; in production point it at storage
// the database's operators cannot rewrite). Removing the newest events, which the chain alone cannot
// reveal, then shows: a checkpoint names a seq and hash the database no longer has.
//
// The lines are chained like the events: each names the SHA-256 of the line before it (`prev`) and is
// signed with it, so the newest line's signature vouches for the whole file. A verifier checks one
// signature however many checkpoints a year of minutes leaves (an Ed25519 check is ~0.1 ms: half a
// million lines would take a minute), and the writer reads only the last line.
//
// Each line also names `genesis`, the hash of the chain's first event: it tells a file written for
// another database (or for a trail rewritten from its first event) apart from a cut or edited trail.
//
// The signing key never comes from the data folder outside demo mode (docs/decisions/014): whoever can
// rewrite the database and the data folder must not be able to re-sign the checkpoints too.
import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { createPrivateKey, createPublicKey, hash, sign, verify, type KeyObject } from 'node:crypto';
import { db } from '../db';
import { PRIVATE_FILE_MODE } from '../private-files';
import { canonicalJson, GENESIS_HASH } from './canonical';

/**
 * `prev` is missing only on lines written before checkpoints were chained; those are checked by their own
 * signature. `genesis` is missing on lines written before it was recorded.
 */
export type Checkpoint = { seq: number; hash: string; at: string; prev?: string; genesis?: string; signature: string };
/** A checkpoint as read from the file, with the SHA-256 of its line (what the next line's prev names). */
export type CheckpointLine = Checkpoint & { lineHash: string };

function dataDir(): string {
  return process.env.RELAYDESK_DATA_DIR ?? './data';
}

export function checkpointsFile(): string {
  return process.env.RELAYDESK_AUDIT_CHECKPOINTS ?? path.join(dataDir(), 'audit-checkpoints.jsonl');
}

const pemOf = (value: string) => value.replace(/\\n/g, '\n');

/** RELAYDESK_AUDIT_SIGNING_KEY (an Ed25519 private key, PEM) or the file RELAYDESK_AUDIT_SIGNING_KEY_FILE names. */
function signingKey(): KeyObject {
  const pem = process.env.RELAYDESK_AUDIT_SIGNING_KEY;
  if (pem) return createPrivateKey(pemOf(pem));
  const file = process.env.RELAYDESK_AUDIT_SIGNING_KEY_FILE;
  if (file) return createPrivateKey(readFileSync(file, 'utf8'));
  throw new Error('No audit signing key: set RELAYDESK_AUDIT_SIGNING_KEY (an Ed25519 private key, PEM) or RELAYDESK_AUDIT_SIGNING_KEY_FILE (its path).');
}

// Fields absent from older lines stay absent from what they signed (canonicalJson drops undefined).
const payload = (c: Omit<Checkpoint, 'signature'>) => Buffer.from(canonicalJson({ seq: c.seq, hash: c.hash, at: c.at, prev: c.prev, genesis: c.genesis }));
const lineHash = (line: string) => hash('sha256', line, 'hex');

export function readCheckpoints(): CheckpointLine[] {
  const file = checkpointsFile();
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => ({ ...(JSON.parse(line) as Checkpoint), lineHash: lineHash(line) }));
}

/** The last line of the file, reading only its end. */
function lastLine(file: string): string | null {
  if (!existsSync(file)) return null;
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const tail = Buffer.alloc(Math.min(size, 16 * 1024));
    readSync(fd, tail, 0, tail.length, size - tail.length);
    return tail.toString('utf8').split('\n').filter(Boolean).at(-1) ?? null;
  } finally {
    closeSync(fd);
  }
}

/** RELAYDESK_AUDIT_VERIFY_KEY (the Ed25519 public key, PEM) lets a verifier check without the signing key. */
export function verifyKey(): KeyObject {
  const pem = process.env.RELAYDESK_AUDIT_VERIFY_KEY;
  if (pem) return createPublicKey(pemOf(pem));
  if (!process.env.RELAYDESK_AUDIT_SIGNING_KEY && !process.env.RELAYDESK_AUDIT_SIGNING_KEY_FILE) {
    throw new Error('No key to verify the audit checkpoints with: set RELAYDESK_AUDIT_VERIFY_KEY (the Ed25519 public key, PEM).');
  }
  return createPublicKey(signingKey());
}

export function checkpointSignatureValid(c: Checkpoint, key: KeyObject = verifyKey()): boolean {
  try {
    return verify(null, payload(c), key, Buffer.from(c.signature, 'base64'));
  } catch {
    return false;
  }
}

export function signCheckpoint(unsigned: Omit<Checkpoint, 'signature'>): Checkpoint {
  return { ...unsigned, signature: sign(null, payload(unsigned), signingKey()).toString('base64') };
}

/**
 * The first checkpoint that is not authentic, or undefined. Each line is vouched for by the next line's
 * prev, or else (the newest line, or one followed by a line without prev) by its own signature; a prev
 * that does not name the line before it means that line (or this one) was changed: the earlier is reported.
 */
export function firstForgedCheckpoint(checkpoints: CheckpointLine[], key: KeyObject = verifyKey()): CheckpointLine | undefined {
  for (let i = 0; i < checkpoints.length; i++) {
    const c = checkpoints[i]!;
    const before = checkpoints[i - 1];
    if (c.prev !== undefined && c.prev !== (before?.lineHash ?? GENESIS_HASH)) return before ?? c;
    const vouched = checkpoints[i + 1]?.prev !== undefined;
    if (!vouched && !checkpointSignatureValid(c, key)) return c;
  }
  return undefined;
}

/** The checkpoints that name another chain than the one whose first event has hash `genesis`. */
export function checkpointsOfAnotherChain(checkpoints: CheckpointLine[], genesis: string | null): CheckpointLine[] {
  return checkpoints.filter((c) => c.genesis !== undefined && c.genesis !== genesis);
}

export class CheckpointsOfAnotherDatabaseError extends Error {
  constructor(file: string) {
    super(
      `The audit checkpoints file ${file} belongs to another database (its checkpoints name a different first event). Move it away, or point RELAYDESK_AUDIT_CHECKPOINTS at a new file for this database.`,
    );
  }
}

/**
 * Appends a checkpoint when the head moved since the last one. Returns it, or null when nothing changed.
 * Refuses to append to a file written for another database: that file would never verify again.
 */
export async function writeCheckpoint(): Promise<Checkpoint | null> {
  const file = checkpointsFile();
  mkdirSync(path.dirname(file), { recursive: true });
  // Every process of a fleet may write checkpoints into the same file: one at a time, each reading the head
  // and the last line under the lock, so lines never interleave, each names the one before, seqs never go back.
  return withFileLock(`${file}.lock`, async () => {
    const head = await db.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
    if (!head) return null;
    const first = await db.auditEvent.findUniqueOrThrow({ where: { seq: 1 }, select: { hash: true } });
    const previousLine = lastLine(file);
    const last = previousLine ? (JSON.parse(previousLine) as Checkpoint) : null;
    if (last?.genesis !== undefined && last.genesis !== first.hash) throw new CheckpointsOfAnotherDatabaseError(file);
    if (last && last.seq === head.seq && last.hash === head.hash) return null;
    const unsigned = { seq: head.seq, hash: head.hash, at: new Date().toISOString(), prev: previousLine ? lineHash(previousLine) : GENESIS_HASH, genesis: first.hash };
    const checkpoint = signCheckpoint(unsigned);
    appendFileSync(file, `${JSON.stringify(checkpoint)}\n`, { mode: PRIVATE_FILE_MODE });
    return checkpoint;
  });
}

/** A lock file created exclusively (also on shared storage); one left by a killed process is taken over after 10 s. */
async function withFileLock<T>(lock: string, work: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 15_000;
  let fd: number | null = null;
  while (fd === null) {
    try {
      fd = openSync(lock, 'wx', PRIVATE_FILE_MODE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = Date.now() - (statOrNull(lock)?.mtimeMs ?? Date.now());
      if (age > 10_000) rmSync(lock, { force: true });
      else if (Date.now() > deadline) throw new Error(`The audit checkpoints file is locked by another process (${lock})`);
      else await new Promise((r) => setTimeout(r, 2 + Math.random() * 8));
    }
  }
  try {
    return await work();
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
}

function statOrNull(file: string) {
  try {
    return statSync(file);
  } catch {
    return null;
  }
}
