import 'server-only';
// Signed checkpoints of the chain head, kept OUTSIDE the database (a file; in production point it at storage
// the database's operators cannot rewrite). Removing the newest events, which the chain alone cannot
// reveal, then shows: a checkpoint names a seq and hash the database no longer has.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { db } from '../db';
import { canonicalJson } from './canonical';

export type Checkpoint = { seq: number; hash: string; at: string; signature: string };

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

const payload = (c: Omit<Checkpoint, 'signature'>) => Buffer.from(canonicalJson({ seq: c.seq, hash: c.hash, at: c.at }));

export function readCheckpoints(): Checkpoint[] {
  const file = checkpointsFile();
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Checkpoint);
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

/** Appends a checkpoint when the head moved since the last one. Returns it, or null when nothing changed. */
export async function writeCheckpoint(): Promise<Checkpoint | null> {
  const head = await db.auditEvent.findFirst({ orderBy: { seq: 'desc' }, select: { seq: true, hash: true } });
  if (!head) return null;
  const last = readCheckpoints().at(-1);
  if (last && last.seq === head.seq && last.hash === head.hash) return null;
  const unsigned = { seq: head.seq, hash: head.hash, at: new Date().toISOString() };
  const checkpoint = { ...unsigned, signature: sign(null, payload(unsigned), signingKey()).toString('base64') };
  mkdirSync(path.dirname(checkpointsFile()), { recursive: true });
  appendFileSync(checkpointsFile(), `${JSON.stringify(checkpoint)}\n`);
  return checkpoint;
}
