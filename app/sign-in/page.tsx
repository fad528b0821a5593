import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { getTranslations } from 'next-intl/server';
import { currentUser } from '@/server/auth/auth';
import { HOME_BY_ROLE } from '@/server/auth/roles';
import { SignInForm } from './sign-in-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('auth'))('title') };
}

export default async function SignInPage({ searchParams }: { searchParams: Promise<{ signedOut?: string; invited?: string }> }) {
  const user = await currentUser();
  if (user) redirect(HOME_BY_ROLE[user.role]);
  const t = await getTranslations('auth');
  const ti = await getTranslations('invitationPage');
  const { signedOut, invited } = await searchParams;
  return (
    <section className="narrow card">
      <h1>{t('title')}</h1>
      {signedOut === '1' && (
        <p role="status" className="alert success">
          {t('signedOut')}
        </p>
      )}
      {invited === '1' && (
        <p role="status" className="alert success">
          {ti('passwordSet')}
        </p>
      )}
      <SignInForm />
    </section>
  );
}
