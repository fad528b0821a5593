import Link from 'next/link';
import { getLocale, getTranslations } from 'next-intl/server';
import { currentUser } from '@/server/auth/auth';
import { HOME_BY_ROLE } from '@/server/auth/roles';
import { readEnv } from '@/server/env';
import { countUnread } from '@/server/notifications/in-app-notices';
import { LanguageSwitcher } from './language-switcher';
import { MenuButton } from './menu-button';
import { NavLinks } from './nav-links';
import { signOutAction } from './session-actions';

const NAV: Record<string, { href: string; key: 'portal' | 'console' | 'audit' | 'admin' | 'sandbox' | 'tenants' | 'health' }[]> = {
  'customer-admin': [
    { href: '/portal', key: 'portal' },
    { href: '/tenants', key: 'tenants' },
  ],
  'customer-member': [
    { href: '/portal', key: 'portal' },
    { href: '/tenants', key: 'tenants' },
  ],
  tam: [
    { href: '/console', key: 'console' },
    { href: '/tenants', key: 'tenants' },
    { href: '/health', key: 'health' },
    { href: '/sandbox', key: 'sandbox' },
  ],
  auditor: [
    { href: '/audit', key: 'audit' },
    { href: '/tenants', key: 'tenants' },
  ],
  admin: [
    { href: '/admin', key: 'admin' },
    { href: '/console', key: 'console' },
    { href: '/tenants', key: 'tenants' },
    { href: '/sandbox', key: 'sandbox' },
  ],
};

export async function SiteHeader() {
  const user = await currentUser();
  const t = await getTranslations('common');
  const locale = await getLocale();
  const tn = await getTranslations('notifications');
  const unread = user ? await countUnread(user.id) : 0;
  const items = user
    ? [
        ...(NAV[user.role] ?? []).filter((item) => item.key !== 'sandbox' || readEnv().demo).map((item) => ({ href: item.href, label: t(`nav.${item.key}`) })),
        { href: '/profile', label: t('nav.profile') },
      ]
    : [];
  return (
    <header className="site-header">
      <Link href={user ? HOME_BY_ROLE[user.role] : '/'} className="brand">
        <span aria-hidden="true" className="brand-mark">
          ✉
        </span>{' '}
        {t('appName')}
      </Link>
      {user && <MenuButton label={t('menu')} controls="site-menu" />}
      <div id="site-menu" className={user ? 'site-menu' : 'site-menu always'}>
        {user && (
          <nav aria-label={t('nav.main')} className="main-nav">
            <NavLinks items={items} />
          </nav>
        )}
        <div className="header-end">
          <LanguageSwitcher current={locale} label={t('language')} />
          {user && (
            <>
              <Link href="/notifications" className="notices-link">
                {tn('headerLink')}
                {unread > 0 && (
                  <span className="unread-count" aria-hidden="true" data-testid="unread-count">
                    {unread}
                  </span>
                )}
                <span className="visually-hidden">{` (${tn('headerUnread', { count: unread })})`}</span>
              </Link>
              <span className="who">
                {user.name} <span className="muted">· {t(`roles.${user.role}`)}</span>
              </span>
              <form action={signOutAction}>
                <button type="submit" className="button subtle">
                  {t('signOut')}
                </button>
              </form>
            </>
          )}
        </div>
      </div>
    </header>
  );
}
