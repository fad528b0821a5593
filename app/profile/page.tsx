import type { Metadata } from 'next';
import { getLocale, getTimeZone, getTranslations } from 'next-intl/server';
import { requirePageUser } from '@/server/auth/auth';
import { listTokens } from '@/server/auth/tokens';
import { LanguageSwitcher } from '../components/language-switcher';
import { TokenPanel } from './token-panel';
import { PasswordForm } from './password-form';
import { signOutEverywhereAction } from './actions';
import { TimeZoneForm } from './time-zone-form';
import { findUserTimeZone } from '@/server/users/user-time-zone';
import { Time } from '../components/time';
import { listPreferences } from '@/server/notifications/in-app-notices';
import { ownMailStatus } from '@/server/own-mail/own-mail-config';
import { NotificationPreferencesForm } from './notification-preferences-form';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('profile'))('title') };
}

export default async function ProfilePage({ searchParams }: { searchParams: Promise<{ password?: string }> }) {
  const user = await requirePageUser();
  const t = await getTranslations('profile');
  const tc = await getTranslations('common');
  const tokens = await listTokens(user.id);
  const tn = await getTranslations('notifications');
  const preferences = await listPreferences(user);
  const when = (d: Date | null) => (d ? <Time value={d} relative /> : t('never'));
  const zone = await getTimeZone();
  const saved = await findUserTimeZone(user.id);
  const zones = [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone'), zone])];
  return (
    <>
      <h1>{t('title')}</h1>
      <section className="card">
        <p>
          <strong>{user.name}</strong> · {user.email} · {tc(`roles.${user.role}`)}
        </p>
        <h2>{t('language')}</h2>
        <LanguageSwitcher current={await getLocale()} label={t('language')} />
        <h2>{t('timeZone')}</h2>
        <TimeZoneForm saved={saved} inUse={zone} zones={zones} />
      </section>
      <section className="card" id="notification-preferences" aria-labelledby="notification-preferences-h">
        <h2 id="notification-preferences-h">{tn('preferences')}</h2>
        <p className="muted">{tn('preferencesIntro')}</p>
        <NotificationPreferencesForm saved={preferences} mailConfigured={ownMailStatus().configured} />
      </section>
      <section className="card" aria-labelledby="password-h">
        <h2 id="password-h">{t('password')}</h2>
        <p className="muted">{t('passwordIntro')}</p>
        {(await searchParams).password === 'changed' && (
          <p role="status" className="alert success">
            {t('passwordChanged')}
          </p>
        )}
        <PasswordForm />
      </section>
      <section className="card" aria-labelledby="sessions-h">
        <h2 id="sessions-h">{t('sessions')}</h2>
        <p className="muted">{t('sessionsIntro')}</p>
        <form action={signOutEverywhereAction}>
          <button className="button">{t('signOutEverywhere')}</button>
        </form>
      </section>
      <section className="card" aria-labelledby="tokens-h">
        <h2 id="tokens-h">{t('tokens')}</h2>
        <p className="muted">{t('tokensIntro')}</p>
        <TokenPanel
          tokens={tokens.map((x) => ({ id: x.id, name: x.name, prefix: x.prefix, created: when(x.createdAt), lastUsed: when(x.lastUsedAt), revoked: x.revokedAt !== null }))}
        />
      </section>
    </>
  );
}
