import 'server-only';
// Who is asking: a browser session (next-auth JWT cookie) or a personal access token (Bearer).
import { getToken } from 'next-auth/jwt';
import { AppError } from '../app-error';
import { findUserByToken } from './tokens';
import { loadActiveUser, type CurrentUser } from './load-user';

export type { CurrentUser } from './load-user';

export type { RequestMeta } from '../core/request-meta';

/** For route handlers: reads the Authorization header or the session cookie from the request itself. */
export async function userFromRequest(request: Request): Promise<CurrentUser | null> {
  const authorization = request.headers.get('authorization');
  if (authorization) {
    const match = /^Bearer\s+(\S+)$/i.exec(authorization);
    if (!match?.[1]) return null;
    return findUserByToken(match[1]);
  }
  const secret = process.env.AUTH_SECRET;
  if (!secret) return null;
  // Only picks the cookie's name (next-auth prefixes it __Secure- over HTTPS); its signature is what is trusted.
  const secureCookie = new URL(request.url).protocol === 'https:' || request.headers.get('x-forwarded-proto') === 'https';
  const token = await getToken({ req: request, secret, secureCookie });
  return typeof token?.sub === 'string'
    ? loadActiveUser(token.sub, 'session', { signedInAt: Number(token.signedInAt ?? 0), sessionId: typeof token.sid === 'string' ? token.sid : undefined })
    : null;
}

export async function requireUserFromRequest(request: Request): Promise<CurrentUser> {
  const user = await userFromRequest(request);
  if (!user) throw new AppError('UNAUTHENTICATED', 'Sign in, or send a personal access token as "Authorization: Bearer <token>".');
  return user;
}
