'use client';
import { useState, useTransition } from 'react';
import { useRouter } from 'next/navigation';
import { useTranslations } from 'next-intl';
import { saveTimeZoneAction } from './actions';

/** `saved`: the zone the user chose, or null for automatic (the browser's, then `inUse`). */
export function TimeZoneForm({ saved, inUse, zones }: { saved: string | null; inUse: string; zones: string[] }) {
  const t = useTranslations('profile');
  const te = useTranslations('errors');
  const router = useRouter();
  const [zone, setZone] = useState(saved ?? '');
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  return (
    <form
      className="form inline-form"
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => {
          const r = await saveTimeZoneAction(zone);
          setMessage(r.ok ? { ok: true, text: zone ? t('timeZoneSaved', { zone }) : t('timeZoneAutomaticSaved') } : { ok: false, text: te(r.code as 'INTERNAL') });
          if (r.ok) router.refresh();
        });
      }}
    >
      <div className="field">
        <label htmlFor="time-zone">{t('timeZone')}</label>
        <select id="time-zone" value={zone} onChange={(e) => setZone(e.target.value)} aria-describedby="time-zone-hint">
          <option value="">{t('timeZoneAutomatic', { zone: saved ? t('timeZoneBrowser') : inUse })}</option>
          {zones.map((z) => (
            <option key={z} value={z}>
              {z.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
        <p id="time-zone-hint" className="hint">
          {t('timeZoneHint')}
        </p>
      </div>
      <button className="button primary" disabled={pending}>
        {t('saveTimeZone')}
      </button>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={`alert ${message.ok ? 'success' : 'error'}`}>
          {message.text}
        </p>
      )}
    </form>
  );
}
