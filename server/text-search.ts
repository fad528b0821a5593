import 'server-only';
import { isPostgres } from './db';

/** A case-insensitive "contains": SQLite's LIKE ignores ASCII case already; PostgreSQL needs ILIKE (Prisma's
 * mode, which the SQLite client's types do not know). */
export function containsIgnoringCase(text: string): { contains: string } {
  return isPostgres ? ({ contains: text, mode: 'insensitive' } as unknown as { contains: string }) : { contains: text };
}
