'use client';
// Tells the server the browser's time zone when it differs from the one pages are rendered in and the user
// chose none on the profile: the page is then rendered again in it. A zone chosen on the profile wins.
import { useEffect } from 'react';
import { useRouter } from 'next/navigation';
import { reportBrowserTimeZoneAction } from './session-actions';

export function TimeZoneSync({ saved, current }: { saved: string | null; current: string }) {
  const router = useRouter();
  useEffect(() => {
    if (saved) return;
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!browser || browser === current) return;
    void reportBrowserTimeZoneAction(browser).then(() => router.refresh());
  }, [saved, current, router]);
  return null;
}
