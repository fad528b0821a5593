import 'server-only';
// Signed checkpoints of the chain head, kept OUTSIDE the database (a file; in production point it at storage
// the database's operators cannot rewrite). Removing the newest events, which the chain alone cannot
// reveal, then shows: a checkpoint names a seq and hash the database no longer has.
//
// The lines are chained like the events: each names the SHA-256 of the line before it (`prev`) and is
// signed with it, so the newest line's signature vouches for the whole file. A verifier checks one
// signature however many checkpoints a year of minutes leaves (an Ed25519 check is ~0.1 ms: half a
// million lines would take a minute), and the writer reads only the last line.
import { appendFileSync, closeSync, existsSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPrivateKey, createPublicKey, generateKeyPairSync, hash, sign, verify, type KeyObject } from 'node:crypto';
import { db } from '../db';
import { canonicalJson, GENESIS_HASH } from './canonical';

/** `prev` is missing only on lines written before checkpoints were chained; those are checked by their own signature. */
export type Checkpoint = { seq: number; hash: string; at: string; prev?: string; signature: string };
/** A checkpoint as read from the file, with the SHA-256 of its line (what the next line's prev names). */
export type CheckpointLine = Checkpoint & { lineHash: string };

function dataDir(): string {
  return process.env.RELAYDESK_DATA_DIR ?? './data';
}

export function checkpointsFile(): string {
  return process.env.RELAYDESK_AUDIT_CHECKPOINTS ?? path.join(dataDir(), 'audit-checkpoints.jsonl');
}

/** RELAYDESK_AUDIT_SIGNING_KEY (an Ed25519 private key, PEM) or one generated once into the data folder. */
function signingKey(): KeyObject {
  const pem = process.env.RELAYDESK_AUDIT_SIGNING_KEY;
  if (pem) return createPrivateKey(pem.replace(/\\n/g, '\n'));
  const file = path.join(dataDir(), 'audit-signing-key.pem');
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return createPrivateKey(readFileSync(file, 'utf8'));
}

const payload = (c: Omit<Checkpoint, 'signature'>) => Buffer.from(canonicalJson({ seq: c.seq, hash: c.hash, at: c.at, prev: c.prev }));
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
  return pem ? createPublicKey(pem.replace(/\\n/g, '\n')) : createPublicKey(signingKey());
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

/** Appends a checkpoint when the head moved since the last one. Returns it, or null when nothing changed. */
export async function writeCheckpoint(): Promise<Checkpoint | null> {
  const head = await db.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  if (!head) return null;
  const previousLine = lastLine(checkpointsFile());
  const last = previousLine ? (JSON.parse(previousLine) as Checkpoint) : null;
  if (last && last.seq === head.seq && last.hash === head.hash) return null;
  const unsigned = { seq: head.seq, hash: head.hash, at: new Date().toISOString(), prev: previousLine ? lineHash(previousLine) : GENESIS_HASH };
  const checkpoint = signCheckpoint(unsigned);
  mkdirSync(path.dirname(checkpointsFile()), { recursive: true });
  appendFileSync(checkpointsFile(), `${JSON.stringify(checkpoint)}\n`);
  return checkpoint;
}
