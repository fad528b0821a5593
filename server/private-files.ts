// Files that hold the service's data or secrets (the SQLite database, audit checkpoints, demo secrets and
// keys) are created readable by their owner only: another account on the host must not read them.
import { chmodSync, closeSync, existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const PRIVATE_FILE_MODE = 0o600;

/** Writes the file owner-only, also when it already existed with a wider mode (an older version's file). */
export function writePrivateFile(file: string, content: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, content, { mode: PRIVATE_FILE_MODE });
  chmodSync(file, PRIVATE_FILE_MODE);
}

/** Creates an empty owner-only file when there is none (SQLite then keeps the mode for its -wal and -shm files). */
export function createPrivateFileIfMissing(file: string): void {
  if (existsSync(file)) return;
  mkdirSync(path.dirname(file), { recursive: true });
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
}
