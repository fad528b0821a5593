import type { Metadata } from 'next';
import { NextIntlClientProvider } from 'next-intl';
import { getLocale, getTimeZone, getTranslations } from 'next-intl/server';
import { currentUser } from '@/server/auth/auth';
import { findUserTimeZone } from '@/server/users/user-time-zone';
import { TimeZoneSync } from './components/time-zone-sync';
import { FlashProvider } from './components/flash';
import { SiteHeader } from './components/site-header';
import './globals.css';

export async function generateMetadata(): Promise<Metadata> {
  const t = await getTranslations('common');
  return { title: { default: t('appName'), template: `%s · ${t('appName')}` }, description: t('tagline') };
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const locale = await getLocale();
  const t = await getTranslations('common');
  const user = await currentUser().catch(() => null);
  const savedZone = user ? await findUserTimeZone(user.id) : null;
  return (
    <html lang={locale}>
      <body>
        <a className="skip-link" href="#main">
          {t('skipToContent')}
        </a>
        <NextIntlClientProvider>
          <TimeZoneSync saved={savedZone} current={await getTimeZone()} />
          <SiteHeader />
          <main id="main" className="page">
            <FlashProvider>{children}</FlashProvider>
          </main>
        </NextIntlClientProvider>
      </body>
    </html>
  );
}
