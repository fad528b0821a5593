import type { Metadata } from 'next';
import Link from 'next/link';
import { getLocale, getTranslations } from 'next-intl/server';
import { requirePageUser } from '@/server/auth/auth';
import { asLocale, DEFAULT_LOCALE } from '@/server/i18n/locales';
import { countUnread, listNotices } from '@/server/notifications/in-app-notices';
import { ownMailStatus } from '@/server/own-mail/own-mail-config';
import { Time } from '../components/time';
import { markAllNoticesReadAction, markNoticeReadAction } from './actions';

export async function generateMetadata(): Promise<Metadata> {
  return { title: (await getTranslations('notifications'))('title') };
}

export default async function NotificationsPage({ searchParams }: { searchParams: Promise<{ cursor?: string }> }) {
  const user = await requirePageUser();
  const t = await getTranslations('notifications');
  const tc = await getTranslations('common');
  const locale = asLocale(await getLocale()) ?? DEFAULT_LOCALE;
  const { cursor } = await searchParams;
  // A cursor that is not one of ours (edited by hand) shows the first page rather than an error.
  const [page, unread] = await Promise.all([listNotices(user.id, locale, { cursor }).catch(() => listNotices(user.id, locale)), countUnread(user.id)]);
  const notices = page.items;
  const mailOff = !ownMailStatus().configured;
  return (
    <>
      <div className="page-head">
        <h1>{t('title')}</h1>
        {unread > 0 && (
          <form action={markAllNoticesReadAction}>
            <button className="button">{t('markAllRead')}</button>
          </form>
        )}
      </div>
      <p className="muted">{t('intro')}</p>
      {mailOff && <p className="muted">{t('mailOff')}</p>}
      <p role="status" id="unread-count">
        {t('unreadCount', { count: unread })}
      </p>
      {notices.length === 0 ? (
        <p className="empty-state">{t('empty')}</p>
      ) : (
        <ul className="notice-list" aria-label={t('title')}>
          {notices.map((n) => (
            <li key={n.id} className={n.read ? 'read' : 'unread'}>
              <div className="notice-head">
                {!n.read && <span className="badge status-submitted">{t('unread')}</span>}
                <Link href={n.link}>{n.title}</Link>
                <Time value={n.createdAt} relative />
              </div>
              <p className="notice-body">{n.body}</p>
              {!n.read && (
                <form action={markNoticeReadAction}>
                  <input type="hidden" name="id" value={n.id} />
                  <button className="button subtle" aria-label={t('markReadLabel', { title: n.title })}>
                    {t('markRead')}
                  </button>
                </form>
              )}
            </li>
          ))}
        </ul>
      )}
      {(cursor || page.nextCursor) && (
        <nav className="pager" aria-label={tc('pagination')}>
          {cursor && <Link href="/notifications">« {tc('firstPage')}</Link>}
          {page.nextCursor && (
            <Link href={`/notifications?${new URLSearchParams({ cursor: page.nextCursor }).toString()}`} rel="next">
              {tc('next')} »
            </Link>
          )}
        </nav>
      )}
      <p>
        <Link href="/profile#notification-preferences">{t('preferencesLink')}</Link>
      </p>
    </>
  );
}
