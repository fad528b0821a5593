import 'server-only';
// The opaque cursor of lists ordered by (time, id): stable under concurrent inserts, no OFFSET scans.
import { AppError } from '../app-error';

export type KeysetCursor = { t: string; id: string };

export function encodeCursor(c: KeysetCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

export function decodeCursor(value: string): KeysetCursor {
  try {
    const c = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as KeysetCursor;
    if (typeof c.t !== 'string' || typeof c.id !== 'string' || Number.isNaN(Date.parse(c.t))) throw new Error();
    return c;
  } catch {
    throw new AppError('VALIDATION_FAILED', 'Invalid cursor.', { errors: [{ path: 'cursor', message: 'invalid' }] });
  }
}
