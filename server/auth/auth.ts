import 'server-only';
import { cache } from 'react';
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { redirect } from 'next/navigation';
import { db } from '../db';
import { checkCredentials } from './sign-in';
import { loadActiveUser, type CurrentUser } from './load-user';
import { currentRequestMeta, requestMeta } from '../core/request-meta';
import { endBrowserSession, startBrowserSession, SESSION_LIFETIME_MS } from './sessions';
import { logError } from '../log';

class ThrottledSignIn extends CredentialsSignin {
  code = 'throttled';
}

export const SESSION_MAX_AGE_SECONDS = SESSION_LIFETIME_MS / 1000;

export const { handlers, auth, signIn, signOut } = NextAuth({
  trustHost: true,
  // A wrong password is an expected outcome (audited as auth.sign_in_failed), not an error to log with a stack.
  logger: {
    error(error) {
      // By type, not name: class names are minified in the production build.
      if ((error as { type?: string }).type !== 'CredentialsSignin') logError('auth', error);
    },
    warn() {},
    debug() {},
  },
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: '/sign-in' },
  providers: [
    Credentials({
      credentials: { email: {}, password: {} },
      async authorize(credentials, request) {
        const email = typeof credentials?.email === 'string' ? credentials.email : '';
        const password = typeof credentials?.password === 'string' ? credentials.password : '';
        if (!email || !password) return null;
        const result = await checkCredentials(email, password, requestMeta(request.headers));
        if (result.ok) return { id: result.userId };
        if (result.reason === 'throttled') throw new ThrottledSignIn();
        return null;
      },
    }),
  ],
  callbacks: {
    // At sign-in the session gets its row (sid) and signedInAt, both carried as the token is refreshed (its
    // iat is not: it moves on each refresh). Past 8 hours from sign-in the token is dropped however active
    // the session; sign-out ends the row, and a password change ends the sessions signed in before it.
    async jwt({ token, user }) {
      if (user?.id) {
        const { sid, signedInAt } = await startBrowserSession(user.id);
        token.sub = user.id;
        token.sid = sid;
        token.signedInAt = signedInAt;
      }
      if (Date.now() - Number(token.signedInAt ?? 0) > SESSION_LIFETIME_MS) return null;
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return { ...session, signedInAt: Number(token.signedInAt ?? 0), sid: typeof token.sid === 'string' ? token.sid : undefined };
    },
  },
  events: {
    async signOut(message) {
      const token = 'token' in message ? message.token : null;
      const userId = token?.sub;
      if (!userId) return;
      const user = await db.user.findUnique({ where: { id: userId } });
      if (!user) return;
      const meta = await currentRequestMeta();
      await endBrowserSession(typeof token.sid === 'string' ? token.sid : undefined, { type: 'user', id: user.id, label: user.email, ...meta }, user.tenantId);
    },
  },
});

/** For pages and server actions: the signed-in user, reloaded from the database (role changes apply at once). */
// One lookup per request: the layout, the language choice and the page all ask.
export const currentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = (await auth()) as { user?: { id?: string }; signedInAt?: number; sid?: string } | null;
  const id = session?.user?.id;
  return id ? loadActiveUser(id, 'session', { signedInAt: session.signedInAt, sessionId: session.sid }) : null;
});

/** For pages: the signed-in user, or a redirect to sign-in. */
export async function requirePageUser(): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) redirect('/sign-in');
  return user;
}
