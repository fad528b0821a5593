import 'server-only';
// Server actions return values, never throw to the client: errors become { ok: false, code, errors }
// with catalog keys the form translates (errors.<code>, fields.errors.<key>).
import { AppError } from '../app-error';
import { logError } from '../log';
import { currentUser } from '../auth/auth';
import type { CurrentUser } from '../auth/current-user';
import { currentRequestMeta, type RequestMeta } from '../core/request-meta';

export type ActionResult<T = undefined> = { ok: true; data: T } | { ok: false; code: string; message: string; errors: Record<string, string> };

export async function runAction<T>(fn: (user: CurrentUser, meta: RequestMeta) => Promise<T>): Promise<ActionResult<T>> {
  try {
    const user = await currentUser();
    if (!user) throw new AppError('UNAUTHENTICATED');
    return { ok: true, data: await fn(user, await currentRequestMeta()) };
  } catch (error) {
    if (error instanceof AppError) {
      const errors = Object.fromEntries((error.details.errors ?? []).map((e) => [e.path, e.message]));
      return { ok: false, code: error.code, message: error.message, errors };
    }
    logError('unhandled error in server action', error);
    return { ok: false, code: 'INTERNAL', message: 'Internal error', errors: {} };
  }
}
