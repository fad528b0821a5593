'use client';
// Tells the server the browser's time zone once, when the user has none saved (or is signed out): times
// are then shown in it. A zone chosen on the profile is never overridden.
import { useEffect } from 'react';
import { useRouter } from 'next/navigation';
import { reportBrowserTimeZoneAction } from './session-actions';

export function TimeZoneSync({ saved, current, signedIn }: { saved: string | null; current: string; signedIn: boolean }) {
  const router = useRouter();
  useEffect(() => {
    if (saved) return;
    const browser = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (!browser || (browser === current && !signedIn)) return;
    void reportBrowserTimeZoneAction(browser).then(() => {
      if (browser !== current) router.refresh();
    });
  }, [saved, current, signedIn, router]);
  return null;
}
