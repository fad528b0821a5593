'use client';
// The TAM's Apply button on a request. When apply is not allowed it is disabled and says why.
import { useState, useTransition } from 'react';
import Link from 'next/link';
import { useTranslations } from 'next-intl';
import { applyRequestAction } from './apply-action';

type Gate = { ok: true } | { ok: false; reason: 'ALREADY_APPLIED' | 'NOT_TESTED' | 'NO_TEST_SEND' | 'TEST_OUTDATED' | 'LATER_CHECK_FAILED' | 'DOMAIN_FAILS' };

export function ApplyButton({ requestId, tenantSlug, gate }: { requestId: string; tenantSlug: string; gate: Gate }) {
  const t = useTranslations('pipeline');
  const te = useTranslations('errors');
  // The error's code, translated when shown.
  const [pending, start] = useTransition();
  const [applied, setApplied] = useState<number | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [overrideReason, setOverrideReason] = useState('');
  // A later failed check or a failing sending domain blocks unless the TAM forces it with a reason (audited).
  const overridable = !gate.ok && (gate.reason === 'LATER_CHECK_FAILED' || gate.reason === 'DOMAIN_FAILS');
  const blocked = gate.ok || (overridable && overrideReason.trim()) ? null : gate.reason;
  return (
    <section aria-labelledby="apply-h" className="card">
      <h2 id="apply-h">{t('apply.title')}</h2>
      {blocked && (
        <p className="muted" id="apply-why">
          {t(`apply.blocked.${blocked}`)}
        </p>
      )}
      {overridable && (
        <label className="field">
          <span>{t('apply.override.label')}</span>
          <textarea name="overrideReason" maxLength={500} value={overrideReason} onChange={(e) => setOverrideReason(e.target.value)} />
        </label>
      )}
      <div className="button-row">
        <button
          type="button"
          id="apply-button"
          className="button primary"
          disabled={pending || blocked !== null || applied !== null}
          aria-describedby={blocked ? 'apply-why' : undefined}
          onClick={() => {
            if (!window.confirm(t('apply.confirm'))) return;
            start(async () => {
              const r = await applyRequestAction(requestId, overridable ? overrideReason : '');
              if (r.ok) {
                setApplied(r.data.version);
                setError(null);
              } else setError(r.code);
            });
          }}
        >
          {pending ? t('apply.applying') : overridable ? t('apply.override.button') : t('apply.button')}
        </button>
        <Link href={`/tenants/${tenantSlug}`}>{t('apply.tenantLink')}</Link>
      </div>
      {applied !== null && (
        <p role="status" className="alert success">
          {t('apply.done', { version: applied })}
        </p>
      )}
      {error && (
        <p role="alert" className="alert error">
          {te(error as 'INTERNAL')}
        </p>
      )}
    </section>
  );
}
