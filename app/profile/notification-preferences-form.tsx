'use client';
import { useState, useTransition } from 'react';
import { useTranslations } from 'next-intl';
import { catalogKeyOf, type NotificationKind } from '@/lib/notification-kinds';
import { saveNotificationPreferencesAction } from './actions';

type Preference = { kind: NotificationKind; mail: boolean; inApp: boolean };

/** Per kind: by email and in the notification list; one save for all. */
export function NotificationPreferencesForm({ saved, mailConfigured }: { saved: Preference[]; mailConfigured: boolean }) {
  const t = useTranslations('notifications');
  const te = useTranslations('errors');
  const [prefs, setPrefs] = useState(saved);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [pending, start] = useTransition();
  if (saved.length === 0) return <p className="empty-state">{t('noKinds')}</p>;
  const label = (kind: NotificationKind) => t(`kinds.${catalogKeyOf(kind)}.label` as 'kinds.request_taken.label');
  const toggle = (kind: NotificationKind, field: 'mail' | 'inApp') => setPrefs((list) => list.map((p) => (p.kind === kind ? { ...p, [field]: !p[field] } : p)));
  return (
    <form
      className="form"
      onSubmit={(e) => {
        e.preventDefault();
        start(async () => {
          const r = await saveNotificationPreferencesAction(prefs);
          setMessage(r.ok ? { ok: true, text: t('preferencesSaved') } : { ok: false, text: te(r.code as 'INTERNAL') });
        });
      }}
    >
      {!mailConfigured && <p className="muted">{t('mailOff')}</p>}
      <div className="table-wrap">
        <table className="table preferences-table">
          <thead>
            <tr>
              <th scope="col">{t('kind')}</th>
              <th scope="col">{t('byMail')}</th>
              <th scope="col">{t('inApp')}</th>
            </tr>
          </thead>
          <tbody>
            {prefs.map((p) => (
              <tr key={p.kind}>
                <th scope="row">{label(p.kind)}</th>
                <td>
                  <input type="checkbox" checked={p.mail} onChange={() => toggle(p.kind, 'mail')} aria-label={t('mailLabel', { kind: label(p.kind) })} />
                </td>
                <td>
                  <input type="checkbox" checked={p.inApp} onChange={() => toggle(p.kind, 'inApp')} aria-label={t('inAppLabel', { kind: label(p.kind) })} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <button className="button primary" disabled={pending} style={{ alignSelf: 'flex-start' }}>
        {t('savePreferences')}
      </button>
      {message && (
        <p role={message.ok ? 'status' : 'alert'} className={`alert ${message.ok ? 'success' : 'error'}`}>
          {message.text}
        </p>
      )}
    </form>
  );
}
