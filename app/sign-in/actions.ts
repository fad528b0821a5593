'use server';
import { redirect } from 'next/navigation';
import { AuthError, CredentialsSignin } from 'next-auth';
import { signIn } from '@/server/auth/auth';
import { HOME_BY_ROLE } from '@/server/auth/roles';
import { findUserRoleByEmail } from '@/server/users/find-user-role';

export type SignInState = { error: 'invalid' | 'throttled' | null; email: string };

export async function signInAction(_prev: SignInState, form: FormData): Promise<SignInState> {
  const email = String(form.get('email') ?? '')
    .trim()
    .toLowerCase();
  const password = String(form.get('password') ?? '');
  try {
    await signIn('credentials', { email, password, redirect: false });
  } catch (error) {
    if (error instanceof CredentialsSignin) return { error: error.code === 'throttled' ? 'throttled' : 'invalid', email };
    if (error instanceof AuthError) return { error: 'invalid', email };
    throw error;
  }
  const role = await findUserRoleByEmail(email);
  redirect(role ? HOME_BY_ROLE[role] : '/');
}
