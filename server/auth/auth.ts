import 'server-only';
import { cache } from 'react';
import NextAuth, { CredentialsSignin } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { db } from '../db';
import { recordEvent } from '../audit/record-event';
import { checkCredentials } from './sign-in';
import { loadActiveUser, type CurrentUser } from './load-user';
import { metaFromRequest } from './current-user';
import { logError } from '../log';

class ThrottledSignIn extends CredentialsSignin {
  code = 'throttled';
}

export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

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
        const result = await checkCredentials(email, password, metaFromRequest(request));
        if (result.ok) return { id: result.userId };
        if (result.reason === 'throttled') throw new ThrottledSignIn();
        return null;
      },
    }),
  ],
  callbacks: {
    // signedInAt is set once, at sign-in, and carried as the token is refreshed (its iat is not: it moves
    // on each refresh). A password change ends the sessions signed in before it (load-user.ts).
    jwt({ token, user }) {
      if (user?.id) {
        token.sub = user.id;
        token.signedInAt = Date.now();
      }
      return token;
    },
    session({ session, token }) {
      if (token.sub) session.user.id = token.sub;
      return { ...session, signedInAt: Number(token.signedInAt ?? 0) };
    },
  },
  events: {
    async signOut(message) {
      const userId = 'token' in message ? message.token?.sub : undefined;
      if (!userId) return;
      const user = await db.user.findUnique({ where: { id: userId } });
      if (!user) return;
      const h = await headers();
      await db.$transaction((tx) =>
        recordEvent(tx, { type: 'user', id: user.id, label: user.email, ip: h.get('x-forwarded-for'), userAgent: h.get('user-agent') }, {
          action: 'auth.signed_out',
          tenantId: user.tenantId,
          targetType: 'user',
          targetId: user.id,
        }),
      );
    },
  },
});

/** For pages and server actions: the signed-in user, reloaded from the database (role changes apply at once). */
// One lookup per request: the layout, the language choice and the page all ask.
export const currentUser = cache(async (): Promise<CurrentUser | null> => {
  const session = await auth();
  const id = session?.user?.id;
  return id ? loadActiveUser(id, 'session', { signedInAt: (session as { signedInAt?: number }).signedInAt }) : null;
});

/** For pages: the signed-in user, or a redirect to sign-in. */
export async function requirePageUser(): Promise<CurrentUser> {
  const user = await currentUser();
  if (!user) redirect('/sign-in');
  return user;
}
