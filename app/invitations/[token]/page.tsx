import type { Metadata } from 'next';
import Link from 'next/link';
import { headers } from 'next/headers';
import { getFormatter, getTranslations } from 'next-intl/server';
import { requestMeta } from '@/server/core/request-meta';
import { openInvitation } from '@/server/invitations/accept-invitation';
import { EXACT } from '@/app/components/time';
import { AcceptInvitationForm } from './accept-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('invitationPage'))('title'), robots: { index: false, follow: false } };
}

export default async function InvitationPage({ params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const view = await openInvitation(token, requestMeta(await headers()));
  const t = await getTranslations('invitationPage');
  const tc = await getTranslations('common');
  if (view.state !== 'pending') {
    const values = { inviter: 'inviter' in view ? view.inviter : '', minutes: 'retryAfterSeconds' in view ? Math.max(1, Math.ceil(view.retryAfterSeconds / 60)) : 0 };
    return (
      <section className="narrow card" data-testid="invitation-state" data-state={view.state}>
        <h1>{t(`${view.state}Title`)}</h1>
        <p>{t(view.state, values)}</p>
        {(view.state === 'accepted' || view.state === 'unknown') && (
          <p>
            <Link href="/sign-in" className="button">
              {t('signIn')}
            </Link>
          </p>
        )}
      </section>
    );
  }
  const format = await getFormatter();
  const values = { inviter: view.inviter, name: view.name, email: view.email, role: tc(`roles.${view.role}`), tenant: view.tenant ?? '' };
  return (
    <section className="narrow card">
      <h1>{t('title')}</h1>
      <p>{t(view.tenant ? 'invitedToTenant' : 'invitedAsStaff', values)}</p>
      <p className="muted">{t('expires', { when: format.dateTime(view.expiresAt, EXACT) })}</p>
      <h2>{t('setPassword')}</h2>
      <AcceptInvitationForm token={token} email={view.email} />
    </section>
  );
}
