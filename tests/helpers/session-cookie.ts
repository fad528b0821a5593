// A browser session cookie as next-auth writes it at sign-in (server/auth/auth.ts: the jwt callback starts a
// session row and puts its sid in the token), for calling route handlers in-process as a signed-in browser.
import { encode } from 'next-auth/jwt';
import { startBrowserSession } from '@/server/auth/sessions';

export const SESSION_COOKIE = 'authjs.session-token';

export async function sessionCookieFor(userId: string, options: { now?: Date } = {}): Promise<{ cookie: string; sid: string }> {
  const { sid, signedInAt } = await startBrowserSession(userId, options.now);
  const secret = process.env.AUTH_SECRET!;
  const jwt = await encode({ token: { sub: userId, sid, signedInAt }, secret, salt: SESSION_COOKIE });
  return { cookie: `${SESSION_COOKIE}=${jwt}`, sid };
}
